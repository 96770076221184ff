/**
 * Stored first responses per (clientId, partnerId, X-NaverPay-Idempotency-Key), spec §2.6 / §6.3.
 * A repeat gets HTTP 409 with the stored body whatever its own body says; a repeat while the
 * first call is still executing gets `AlreadyOnGoing` (HTTP 200) [I]. Expiry is lazy.
 */
export type IdempotencyEntry =
  | { state: 'in_flight'; storedAt: number }
  | { state: 'done'; storedAt: number; status: number; body: string };

const SWEEP_THRESHOLD = 50_000;

export class IdempotencyStore {
  #entries = new Map<string, IdempotencyEntry>();

  constructor(private readonly ttlMs: number) {}

  static scope(clientId: string, partnerId: string, key: string): string {
    return `${clientId}\u0000${partnerId}\u0000${key}`;
  }

  get(scope: string, now: number): IdempotencyEntry | undefined {
    const entry = this.#entries.get(scope);
    if (entry && entry.state === 'done' && now - entry.storedAt > this.ttlMs) {
      this.#entries.delete(scope);
      return undefined;
    }
    return entry;
  }

  begin(scope: string, now: number): void {
    if (this.#entries.size >= SWEEP_THRESHOLD) this.#sweep(now);
    this.#entries.set(scope, { state: 'in_flight', storedAt: now });
  }

  complete(scope: string, now: number, status: number, body: string): void {
    this.#entries.set(scope, { state: 'done', storedAt: now, status, body });
  }

  abandon(scope: string): void {
    this.#entries.delete(scope);
  }

  clear(): void {
    this.#entries.clear();
  }

  #sweep(now: number): void {
    for (const [scope, entry] of this.#entries) {
      if (entry.state === 'done' && now - entry.storedAt > this.ttlMs) this.#entries.delete(scope);
    }
  }
}
