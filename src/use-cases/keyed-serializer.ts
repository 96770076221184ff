/**
 * Runs tasks one at a time per key, in arrival order, inside this process. Refunds of one
 * payment go through it so that only one cancel per payment is at the provider at a time
 * (KakaoPay answers a concurrent cancel of the same tid with -785, and each cancel carries
 * the remaining amount it expects). Across processes the database reservation keeps the
 * totals right and the provider's remaining-amount check refuses a stale cancel.
 */
export class KeyedSerializer {
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
