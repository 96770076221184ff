/**
 * Messages of the admin price endpoints (docs/pricing.md): one zod schema each; the web app
 * imports the inferred types. Money in whole won, times ISO-8601.
 */
import { z } from 'zod';

const LATEST_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export const SetPriceBody = z.object({
  plan: z.string().min(1).max(32),
  price_krw: z.number().int().positive().max(100_000_000),
  /** Omitted: now (a decrease only). */
  effective_at: z.iso
    .datetime({ offset: true })
    .refine((v) => Date.parse(v) <= LATEST_MS, '9999년까지')
    .optional(),
});

export const PriceVersionView = z.object({
  id: z.string(),
  price_krw: z.int(),
  effective_at: z.string(),
  created_at: z.string(),
  created_by: z.string().nullable(),
  /** past: replaced by a later version; current: in force now; scheduled: takes effect later. */
  state: z.enum(['past', 'current', 'scheduled']),
  /** An increase still being announced to subscribers (null when none was needed or it is done). */
  announcing: z.boolean(),
});
export type PriceVersionView = z.infer<typeof PriceVersionView>;

export const AdminPlanPricesView = z.object({
  id: z.string(),
  name: z.string(),
  current_krw: z.int(),
  /** The next version taking effect, if one is scheduled. */
  scheduled: PriceVersionView.nullable(),
  versions: z.array(PriceVersionView),
});
export type AdminPlanPricesView = z.infer<typeof AdminPlanPricesView>;

export const AdminPricesResponse = z.object({
  now: z.string(),
  /** An increase must take effect at least this many days after it is set (전자상거래법 제13조). */
  notice_days: z.int(),
  /** The earliest effective date an increase set now may have. */
  earliest_increase_at: z.string(),
  plans: z.array(AdminPlanPricesView),
});
export type AdminPricesResponse = z.infer<typeof AdminPricesResponse>;

export const SetPriceResponse = z.object({
  version: PriceVersionView,
  previous_krw: z.int(),
  increase: z.boolean(),
  /** Subscribers told of the increase at once (the worker tells the rest). */
  notified: z.int(),
  plan: AdminPlanPricesView,
});
export type SetPriceResponse = z.infer<typeof SetPriceResponse>;

/** `POST /api/admin/prices/:id/withdraw`: the withdrawn (scheduled) version and the plan's prices after. */
export const WithdrawPriceParams = z.object({ id: z.string().min(1).max(64) });
export const WithdrawPriceResponse = z.object({
  withdrawn: PriceVersionView,
  plan: AdminPlanPricesView,
  /** Subscribers the increase's notice may have reached, each sent a notice of its withdrawal (price_change_withdrawn). */
  withdrawal_notices: z.int(),
});
export type WithdrawPriceResponse = z.infer<typeof WithdrawPriceResponse>;
