import type { SandboxDelays } from './kakaopay-delays.ts';
import type { ApiGeneration } from './kakaopay-envelope.ts';
import { KakaoPayError, scriptedError } from './kakaopay-errors.ts';
import type { KakaoPayPaymentService } from './kakaopay-payment-service.ts';
import {
  parseApprove,
  parseCancel,
  parseOrder,
  parseReady,
  parseSid,
  parseSubscription,
} from './kakaopay-requests.ts';
import type { ScriptMatch, ScriptQueue, WireOperation } from './kakaopay-scripts.ts';
import type { KakaoPayStore } from './kakaopay-store.ts';

/** Per-request facts the operations need besides the parameters. */
export interface OperationContext {
  generation: ApiGeneration;
  /** Origin for hosted-page URLs. */
  baseUrl: string;
}

interface OperationDefinition<I> {
  parse(params: Record<string, unknown>): I;
  /** Fields a script's `match` is compared with. */
  match(input: I): ScriptMatch;
  /** Requests with the same key may not overlap: the later one gets -785. */
  inFlightKey?(input: I): string;
  execute(service: KakaoPayPaymentService, input: I, context: OperationContext): Record<string, unknown>;
}

function define<I>(definition: OperationDefinition<I>): OperationDefinition<unknown> {
  return definition as OperationDefinition<unknown>;
}

const OPERATIONS: Record<WireOperation, OperationDefinition<unknown>> = {
  ready: define({
    parse: parseReady,
    match: (i) => ({ partner_order_id: i.partner_order_id }),
    execute: (s, i, c) => s.ready(i, c.baseUrl),
  }),
  approve: define({
    parse: parseApprove,
    match: (i) => ({ tid: i.tid, partner_order_id: i.partner_order_id }),
    inFlightKey: (i) => `tid:${i.tid}`,
    execute: (s, i, c) => s.approve(i, c.generation),
  }),
  cancel: define({
    parse: parseCancel,
    match: (i) => ({ tid: i.tid }),
    inFlightKey: (i) => `tid:${i.tid}`,
    execute: (s, i) => s.cancel(i),
  }),
  order: define({
    parse: parseOrder,
    match: (i) => ({ tid: i.tid }),
    execute: (s, i) => s.order(i),
  }),
  subscription: define({
    parse: parseSubscription,
    match: (i) => ({ sid: i.sid, partner_order_id: i.partner_order_id }),
    inFlightKey: (i) => `sid:${i.sid}:${i.partner_order_id}`,
    execute: (s, i, c) => s.subscription(i, c.generation),
  }),
  inactive: define({
    parse: parseSid,
    match: (i) => ({ sid: i.sid }),
    execute: (s, i) => s.inactive(i),
  }),
  status: define({
    parse: parseSid,
    match: (i) => ({ sid: i.sid }),
    execute: (s, i) => s.status(i),
  }),
};

/**
 * Runs one wire operation: parameter parsing, scripted behaviour, the in-flight guard and the
 * synchronous business step. Throws `KakaoPayError`.
 */
export class KakaoPayOperationRunner {
  constructor(
    private readonly service: KakaoPayPaymentService,
    private readonly store: KakaoPayStore,
    private readonly scripts: ScriptQueue,
    private readonly delays: SandboxDelays,
  ) {}

  async run(
    operation: WireOperation,
    params: Record<string, unknown>,
    context: OperationContext,
  ): Promise<Record<string, unknown>> {
    const definition = OPERATIONS[operation];
    const input = definition.parse(params);
    const script = this.scripts.consume(operation, definition.match(input));
    const key = definition.inFlightKey?.(input);
    if (key !== undefined) {
      if (this.store.inFlight.has(key)) throw new KakaoPayError(-785);
      this.store.inFlight.add(key);
    }

    let result: Record<string, unknown> | undefined;
    let failure: unknown;
    try {
      if (script && script.delay === 'before') await this.delays.sleep(script.delayMs);
      if (script?.errorCode !== undefined) throw scriptedError(script.errorCode, script.extras);
      result = definition.execute(this.service, input, context);
    } catch (error) {
      failure = error;
    } finally {
      if (key !== undefined) this.store.inFlight.delete(key);
    }
    // 'after': the outcome is committed; only the response is late (a lost/slow reply).
    if (script && script.delay === 'after') await this.delays.sleep(script.delayMs);
    if (result === undefined) throw failure;
    return result;
  }
}
