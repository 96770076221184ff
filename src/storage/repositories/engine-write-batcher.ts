/**
 * Natural batching ("group commit") of one kind of write: a call that arrives while `maxInFlight`
 * batches are in flight waits for one of them to end, and the calls waiting then go together,
 * at most `maxBatch`, as ONE statement (`many`, one transaction, one durable commit). There is no
 * timer: a lone call goes at once, alone, through `one` (the single statement it always was).
 * If the batch statement fails, nothing of it was written (one transaction): its calls then run
 * one by one through `one`, in arrival order, each answering or failing on its own; unless
 * `oneByOneAfter` says the error leaves the outcome unknown (the connection was lost: the batch
 * may have committed), then every call fails with it, as a single call would have.
 */
export interface WriteBatcherOptions<I, R> {
  /** One result per item, in the items' order (raw: parsing that fails after a commit must not run them again). */
  many: (items: readonly I[]) => Promise<R[]>;
  one: (item: I) => Promise<R>;
  maxBatch: number;
  maxInFlight: number;
  /** Told about a batch statement that failed. */
  onBatchError?: (err: unknown) => void;
  /** Whether the batch's calls may run one by one after this error (default: always). */
  oneByOneAfter?: (err: unknown) => boolean;
}

interface Waiting<I, R> {
  item: I;
  resolve: (r: R) => void;
  reject: (err: unknown) => void;
}

export class WriteBatcher<I, R> {
  private waiting: Waiting<I, R>[] = [];
  private inFlight = 0;

  constructor(private readonly o: WriteBatcherOptions<I, R>) {}

  run(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    while (this.inFlight < this.o.maxInFlight && this.waiting.length > 0) {
      const batch = this.waiting.splice(0, this.o.maxBatch);
      this.inFlight++;
      void this.send(batch).finally(() => {
        this.inFlight--;
        this.next();
      });
    }
  }

  private async send(batch: Waiting<I, R>[]): Promise<void> {
    if (batch.length > 1) {
      let results: R[];
      try {
        results = await this.o.many(batch.map((w) => w.item));
      } catch (err) {
        this.o.onBatchError?.(err);
        // Rolled back: nothing of the batch was written; its items go one by one.
        if (this.o.oneByOneAfter?.(err) ?? true) return this.oneByOne(batch);
        for (const w of batch) w.reject(err);
        return;
      }
      // Written: never run again. A wrong count is a bug of `many`; every item fails with it.
      if (results.length !== batch.length) {
        const err = new Error(`a batch of ${batch.length} answered ${results.length} results`);
        for (const w of batch) w.reject(err);
        return;
      }
      batch.forEach((w, i) => w.resolve(results[i]!));
      return;
    }
    return this.oneByOne(batch);
  }

  private async oneByOne(batch: Waiting<I, R>[]): Promise<void> {
    for (const w of batch) {
      try {
        w.resolve(await this.o.one(w.item));
      } catch (err) {
        w.reject(err);
      }
    }
  }
}
