import { krw, type Krw } from './money.ts';
import type { PlanCatalog } from './plans.ts';

/**
 * Versioned plan prices (docs/pricing.md). A plan's price at an instant is the version with the
 * latest `effectiveAt` at or before it. plans.json's `priceKrw` is each plan's initial version
 * (effective from the start of time) until the first version is stored; every later version is
 * added by the admin action (`setPlanPrice`), which stores the initial one with it.
 */
export interface PriceVersion {
  /** `prc_…`; the initial version from plans.json is `initial:<planId>` until stored. */
  id: string;
  planId: string;
  /** Per period, VAT included. */
  priceKrw: Krw;
  effectiveAt: Date;
  createdAt: Date;
  /** The staff user who set it; null for the initial version. */
  createdBy: string | null;
  /** When every affected subscriber had been sent the notice of this (higher) price. */
  announcedAt: Date | null;
}

/** The instant the initial versions take effect from. */
export const BEGINNING = new Date(0);

/**
 * Korean law: a higher recurring price needs notice and the subscriber's consent at least 30
 * days before the first higher charge (전자상거래법 제13조제4항, in force 2025-02-14, and its
 * enforcement decree). The admin action refuses an increase effective sooner.
 */
export const PRICE_INCREASE_NOTICE_DAYS = 30;
const NOTICE_MS = PRICE_INCREASE_NOTICE_DAYS * 24 * 60 * 60 * 1000;

export function initialVersion(planId: string, priceKrw: Krw): PriceVersion {
  return { id: `initial:${planId}`, planId, priceKrw, effectiveAt: BEGINNING, createdAt: BEGINNING, createdBy: null, announcedAt: BEGINNING };
}

/** All price versions of the catalog's plans, as stored (plus the initial ones not stored yet). */
export class PriceBook {
  private readonly byPlan = new Map<string, PriceVersion[]>();

  constructor(catalog: PlanCatalog, stored: readonly PriceVersion[]) {
    for (const v of stored) {
      const list = this.byPlan.get(v.planId) ?? [];
      list.push(v);
      this.byPlan.set(v.planId, list);
    }
    for (const p of catalog.plans) {
      const list = this.byPlan.get(p.id) ?? [];
      if (!list.some((v) => v.effectiveAt.getTime() <= BEGINNING.getTime())) list.push(initialVersion(p.id, p.priceKrw));
      list.sort((a, b) => a.effectiveAt.getTime() - b.effectiveAt.getTime());
      this.byPlan.set(p.id, list);
    }
  }

  /** Versions of a plan, oldest first (empty for a plan not in the catalog). */
  versions(planId: string): readonly PriceVersion[] {
    return this.byPlan.get(planId) ?? [];
  }

  /** The version in force at `at`, or undefined for an unknown plan. */
  versionAt(planId: string, at: Date): PriceVersion | undefined {
    let found: PriceVersion | undefined;
    for (const v of this.versions(planId)) {
      if (v.effectiveAt.getTime() <= at.getTime()) found = v;
      else break;
    }
    return found;
  }

  priceAt(planId: string, at: Date): Krw | undefined {
    return this.versionAt(planId, at)?.priceKrw;
  }

  /** The first version taking effect after `at` (an announced change), if any. */
  nextAfter(planId: string, at: Date): PriceVersion | undefined {
    return this.versions(planId).find((v) => v.effectiveAt.getTime() > at.getTime());
  }

  find(id: string): PriceVersion | undefined {
    for (const list of this.byPlan.values()) {
      const v = list.find((x) => x.id === id);
      if (v) return v;
    }
    return undefined;
  }
}

export type PriceChangeRefusal =
  | { code: 'PRICE_NOTICE_TOO_SHORT'; earliest: Date; previousKrw: Krw }
  | { code: 'PRICE_EFFECTIVE_IN_PAST' }
  | { code: 'PRICE_UNCHANGED' };

/**
 * Whether a new version (`priceKrw` from `effectiveAt`) may be added at `now`. An increase
 * over the price in force just before `effectiveAt` must take effect at least 30 days after
 * `now`; a decrease may take effect at once. Nothing may take effect in the past.
 */
export function checkNewPrice(book: PriceBook, planId: string, priceKrw: Krw, effectiveAt: Date, now: Date): PriceChangeRefusal | null {
  if (effectiveAt.getTime() < now.getTime()) return { code: 'PRICE_EFFECTIVE_IN_PAST' };
  if (book.versions(planId).some((v) => v.effectiveAt.getTime() === effectiveAt.getTime())) return { code: 'PRICE_UNCHANGED' };
  const before = book.versionAt(planId, new Date(effectiveAt.getTime() - 1));
  const previousKrw = before?.priceKrw ?? krw(0);
  if (priceKrw === previousKrw) return { code: 'PRICE_UNCHANGED' };
  if (priceKrw > previousKrw && effectiveAt.getTime() < now.getTime() + NOTICE_MS) {
    return { code: 'PRICE_NOTICE_TOO_SHORT', earliest: new Date(now.getTime() + NOTICE_MS), previousKrw };
  }
  return null;
}

/** A subscriber to tell about a higher price version (the announcement job). */
export interface PriceNoticeTarget {
  subscriptionId: string;
  userId: string;
  /** The price they agreed to for the plan that renews. */
  agreedKrw: Krw | null;
  currentPeriodEnd: Date;
}

/** Storage of price versions, bound to the transaction of the repository that handed it out. */
export interface PriceRepository {
  /** Every stored version, oldest first. */
  listVersions(): Promise<PriceVersion[]>;
  /** Serializes price changes of one plan (a transaction-scoped lock). */
  lockPlan(planId: string): Promise<void>;
  /** Inserts versions; an initial version already stored is skipped. */
  insertVersions(versions: readonly PriceVersion[]): Promise<void>;
  /**
   * Higher versions still being announced (`announced_at` null), oldest first, locked SKIP
   * LOCKED so that one worker announces each.
   */
  claimAnnouncements(limit: number): Promise<PriceVersion[]>;
  /**
   * Subscriptions renewing into the version's plan (active or past_due, auto-renewal on) whose
   * agreed price for it is below the version's price and who have no notice with
   * `price_change:<version id>:<subscription id>` yet, up to `limit`, by id.
   */
  findUnnotified(version: PriceVersion, limit: number): Promise<PriceNoticeTarget[]>;
  markAnnounced(id: string, at: Date): Promise<void>;
  /** Deletes a version (a scheduled one withdrawn by staff); false when there was none. */
  deleteVersion(id: string): Promise<boolean>;
}

/** The dedupe keys of a version's increase notices start with this: `price_change:<version id>:<subscription id>`. */
export function priceChangeNoticePrefix(versionId: string): string {
  return `price_change:${versionId}:`;
}
