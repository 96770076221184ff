import { z } from 'zod';
import { krw, vatIncluded, type Krw } from './money.ts';

const EntitlementsSchema = z.object({
  autoTrading: z.boolean(),
  /** null = unlimited. */
  autoTradingMonthlyLimitKrw: z.number().int().nonnegative().nullable(),
  realtimeAlerts: z.boolean(),
  customStrategies: z.boolean(),
  prioritySupport: z.boolean(),
});

export const PlanCatalogSchema = z
  .object({
    periodDays: z.number().int().positive(),
    plans: z
      .array(
        z.object({
          id: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/),
          name: z.string().min(1),
          priceKrw: z.number().int().nonnegative(),
          rank: z.number().int().nonnegative(),
          features: z.array(z.string()),
          entitlements: EntitlementsSchema,
        }),
      )
      .min(1),
  })
  .refine((c) => new Set(c.plans.map((p) => p.id)).size === c.plans.length, 'plan ids must be unique')
  .refine((c) => c.plans.some((p) => p.priceKrw === 0), 'a free plan is required');

export type Entitlements = z.infer<typeof EntitlementsSchema>;

export interface Plan {
  id: string;
  name: string;
  /** Price per period, VAT included. */
  priceKrw: Krw;
  vatKrw: Krw;
  rank: number;
  features: string[];
  entitlements: Entitlements;
}

/** The plans on sale, loaded from configuration. Prices include 10% VAT. */
export class PlanCatalog {
  readonly periodDays: number;
  readonly plans: readonly Plan[];
  readonly freePlan: Plan;
  private readonly byId: Map<string, Plan>;

  constructor(raw: unknown) {
    const parsed = PlanCatalogSchema.parse(raw);
    this.periodDays = parsed.periodDays;
    this.plans = Object.freeze(
      parsed.plans
        .map((p) => ({ ...p, priceKrw: krw(p.priceKrw), vatKrw: vatIncluded(krw(p.priceKrw)) }))
        .sort((a, b) => a.rank - b.rank),
    );
    this.byId = new Map(this.plans.map((p) => [p.id, p]));
    this.freePlan = this.plans.find((p) => p.priceKrw === 0)!;
  }

  find(id: string): Plan | undefined {
    return this.byId.get(id);
  }

  get periodMs(): number {
    return this.periodDays * 24 * 60 * 60 * 1000;
  }
}
