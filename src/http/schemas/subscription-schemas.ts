/** Messages of /api/subscription/* (one zod schema each; the web app imports the inferred types). */
import { z } from 'zod';
import { EntitlementsView } from './plan-schemas.ts';

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
