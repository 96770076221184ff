import type { Payment } from '../../domain/records.ts';
import type { BillingRepository, NewPaymentRecord, RenewalRepository, RenewalWriteBatch } from '../../domain/repositories.ts';
import type { BillingCycle, BillingCyclePatch, NewBillingCycle, NewNotice, SubscriptionSchedulePatch } from '../../domain/subscription/renewal-records.ts';

/**
 * Batches the claim transaction's common writes — new cycles, notices, renewal payments and
 * `next_renewal_at` — into one statement per kind, written at `flush`. Any other repository
 * call flushes first, so statements still reach the database in the order the steps made
 * them. A conflict that the per-row call would have absorbed (an existing cycle for the same
 * period) makes the flush fail; the caller then steps the batch one subscription at a time
 * without buffering.
 */
/** BillingRepository methods that return a store bound to the transaction (not a promise). */
const STORE_ACCESSORS = new Set(['renewals', 'accounts', 'prices', 'refunds']);

export class RenewalWriteBuffer implements RenewalWriteBatch {
  private cycles = new Map<string, NewBillingCycle>();
  private notices: NewNotice[] = [];
  private payments: NewPaymentRecord[] = [];
  private schedules = new Map<string, Date | null>();
  readonly repo: BillingRepository;
  readonly r: RenewalRepository;

  constructor(
    private readonly base: BillingRepository,
    private readonly baseR: RenewalRepository,
    private readonly at: Date,
  ) {
    this.r = this.wrap(baseR, {
      insertNotice: async (n: NewNotice) => {
        this.notices.push(n);
      },
      insertCycle: async (c: NewBillingCycle): Promise<BillingCycle> => {
        this.cycles.set(c.id, c);
        return { ...c, failureCode: null, closedReason: null, updatedAt: c.createdAt };
      },
      updateCycle: async (id: string, at: Date, patch: BillingCyclePatch) => {
        const pending = this.cycles.get(id);
        const mergeable = Object.keys(patch).every((k) => k === 'noticeSentAt' || k === 'amountKrw' || k === 'planId' || k === 'nextAttemptAt');
        if (pending && mergeable) {
          this.cycles.set(id, { ...pending, ...(patch as Partial<NewBillingCycle>) });
          return;
        }
        await this.flush();
        return baseR.updateCycle(id, at, patch);
      },
      updateSubscription: async (id: string, at: Date, patch: SubscriptionSchedulePatch) => {
        if (Object.keys(patch).length === 1 && patch.nextRenewalAt !== undefined) {
          this.schedules.set(id, patch.nextRenewalAt);
          return;
        }
        await this.flush();
        return baseR.updateSubscription(id, at, patch);
      },
    });
    this.repo = this.wrap(base, {
      insertPayment: async (p: NewPaymentRecord): Promise<Payment> => {
        this.payments.push(p);
        return {
          ...p,
          refundedKrw: 0 as Payment['refundedKrw'],
          updatedAt: p.createdAt,
          nextLookupAt: null,
          lookupAttempts: 0,
          pricedPeriodStart: p.pricedPeriodStart ?? null,
          pricedPeriodEnd: p.pricedPeriodEnd ?? null,
          pricedFromPlanId: p.pricedFromPlanId ?? null,
          approvalNo: p.approvalNo ?? null,
        };
      },
      renewals: () => this.r,
    });
  }

  /** Writes everything buffered: cycles, then payments (they reference cycles), notices, schedules. */
  async flush(): Promise<void> {
    if (this.cycles.size + this.payments.length + this.notices.length + this.schedules.size === 0) return;
    const cycles = [...this.cycles.values()];
    const payments = this.payments;
    const notices = this.notices;
    const schedules = [...this.schedules].map(([id, nextRenewalAt]) => ({ id, nextRenewalAt }));
    this.cycles = new Map();
    this.payments = [];
    this.notices = [];
    this.schedules = new Map();
    await this.baseR.insertCycles(cycles);
    await this.baseR.insertPayments(payments);
    await this.baseR.insertNotices(notices);
    await this.baseR.scheduleSubscriptions(schedules, this.at);
  }

  /**
   * A proxy whose `overrides` are buffered and whose other methods flush before running. The
   * repository's store accessors (`prices()`, `accounts()`, …) are synchronous: they hand out the
   * store bound to the same transaction, wrapped alike, so its calls flush first too.
   */
  private wrap<T extends object>(target: T, overrides: Record<string, (...args: any[]) => unknown>): T {
    return new Proxy(target, {
      get: (t, prop, receiver) => {
        if (typeof prop === 'string' && prop in overrides) return overrides[prop];
        const value = Reflect.get(t, prop, receiver);
        if (typeof value !== 'function') return value;
        if (typeof prop === 'string' && STORE_ACCESSORS.has(prop)) {
          return (...args: unknown[]) => this.wrap((value as (...a: unknown[]) => object).apply(t, args), {});
        }
        return async (...args: unknown[]) => {
          await this.flush();
          return (value as (...a: unknown[]) => unknown).apply(t, args);
        };
      },
    });
  }
}
