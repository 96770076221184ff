/**
 * Messages of GET /api/plans and GET /api/subscription/status (the plan a user has now): one zod
 * schema each; the web app imports the inferred types.
 */
import { z } from 'zod';

export const EntitlementsView = z.object({
  auto_trading: z.boolean(),
  /** null = unlimited */
  auto_trading_monthly_limit_krw: z.int().nullable(),
  realtime_alerts: z.boolean(),
  custom_strategies: z.boolean(),
  priority_support: z.boolean(),
});
export type EntitlementsView = z.infer<typeof EntitlementsView>;

export const PlanView = z.object({
  id: z.string(),
  name: z.string(),
  price_krw: z.int(),
  vat_krw: z.int(),
  supply_krw: z.int(),
  period_days: z.int(),
  features: z.array(z.string()),
  entitlements: EntitlementsView,
  /** A price version taking effect later (docs/pricing.md); set by GET /api/plans. */
  scheduled_price: z.object({ price_krw: z.int(), effective_at: z.string() }).nullable().optional(),
});
export type PlanView = z.infer<typeof PlanView>;

export const PaymentMethodView = z.object({
  id: z.string(),
  name: z.string(),
  checkout_style: z.enum(['redirect', 'sdk']),
});
export type PaymentMethodView = z.infer<typeof PaymentMethodView>;

export const PlansResponse = z.object({
  period_days: z.int(),
  plans: z.array(PlanView),
  methods: z.array(PaymentMethodView),
});
export type PlansResponse = z.infer<typeof PlansResponse>;

/** The plan a user has now (GET /api/subscription/status; also in every checkout and renewal answer). */
export const SubscriptionStatusView = z.object({
  plan: z.string(),
  plan_name: z.string(),
  expire_date: z.string().nullable(),
  auto_trading_enabled: z.boolean(),
  is_active: z.boolean(),
  status: z.string().nullable(),
  auto_renew: z.boolean(),
  provider: z.string().nullable(),
  pending_plan: z.string().nullable(),
  current_period: z.object({ start: z.string(), end: z.string() }).nullable(),
  entitlements: EntitlementsView,
});
export type SubscriptionStatusView = z.infer<typeof SubscriptionStatusView>;
