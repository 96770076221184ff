/**
 * Messages of the sandbox tools (/api/sandbox/*: test clock, renewal tick, mailbox): one zod
 * schema each; the web app may import the inferred types.
 */
import { z } from 'zod';

export const ClockBody = z
  .object({
    advance_ms: z.number().int().nonnegative().optional(),
    advance_days: z.number().nonnegative().optional(),
  })
  .refine((b) => (b.advance_ms === undefined) !== (b.advance_days === undefined), 'advance_ms 또는 advance_days 중 하나만 주세요.');

export const MailboxQuery = z.object({
  email: z.string().max(254).optional(),
  user_id: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type MailboxQuery = z.infer<typeof MailboxQuery>;

export const NoticeView = z.object({
  id: z.string(),
  kind: z.string(),
  to: z.string().nullable(),
  user_id: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.string(),
  channel: z.string().nullable(),
  created_at: z.string(),
  sent_at: z.string().nullable(),
});
export type NoticeView = z.infer<typeof NoticeView>;

export const MailboxResponse = z.object({ notices: z.array(NoticeView) });
export type MailboxResponse = z.infer<typeof MailboxResponse>;

export const ClockResponse = z.object({
  now: z.string(),
  offset_ms: z.number(),
  providers: z.record(z.string(), z.object({ ok: z.boolean(), now: z.number().optional(), error: z.string().optional() })).optional(),
  /** Summed worker tick reports (claimed, outcomes, notices, revocations). */
  tick: z.unknown().optional(),
  /** The jump is made in steps of at most a day, each followed by a tick. */
  steps: z.int().optional(),
});
export type ClockResponse = z.infer<typeof ClockResponse>;

/** One worker tick's report (claimed, outcomes, notices, revocations). */
export const RenewalRunResponse = z.object({ tick: z.unknown() });
