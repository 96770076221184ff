import { SandboxClock } from './naverpay-clock.ts';
import { IdempotencyStore } from './naverpay-idempotency-store.ts';
import { SandboxIds } from './naverpay-ids.ts';
import type { ResolvedSandboxOptions } from './naverpay-sandbox-options.ts';
import { ScriptQueue } from './naverpay-scripts.ts';
import { SandboxStore } from './naverpay-store.ts';

/** Everything one sandbox instance owns; passed explicitly to routes and operations. */
export class SandboxState {
  readonly clock: SandboxClock;
  readonly ids = new SandboxIds();
  readonly store = new SandboxStore();
  readonly scripts = new ScriptQueue();
  readonly idempotency: IdempotencyStore;

  constructor(readonly options: ResolvedSandboxOptions) {
    this.clock = new SandboxClock(options.baseNow);
    this.idempotency = new IdempotencyStore(options.idempotencyTtlMs);
  }

  now(): number {
    return this.clock.now();
  }

  /** Public base URL: the configured one, else the request's protocol and Host. */
  baseUrl(request: { protocol: string; host: string }): string {
    return this.options.publicBaseUrl ?? `${request.protocol}://${request.host}`;
  }

  reset(): void {
    this.store.reset();
    this.scripts.clear();
    this.idempotency.clear();
    this.clock.reset();
  }
}

/** Per-request context handed to wire operations. */
export interface WireContext {
  state: SandboxState;
  partnerId: string;
  /** Waits the configured latency once; operations call it inside their in-flight window. */
  spendLatency: () => Promise<void>;
}
