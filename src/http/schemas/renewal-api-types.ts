/**
 * Response shapes of the sandbox tools (mailbox, test clock); the renewal endpoints' messages are
 * zod schemas in subscription-schemas.ts. Pure types: the web app may import this file.
 */
export interface NoticeView {
  id: string;
  kind: string;
  to: string | null;
  user_id: string;
  subject: string;
  body: string;
  status: string;
  channel: string | null;
  created_at: string;
  sent_at: string | null;
}

export interface MailboxResponse {
  notices: NoticeView[];
}

export interface ClockResponse {
  now: string;
  offset_ms: number;
  providers?: Record<string, { ok: boolean; now?: number; error?: string }>;
  /** Summed worker tick reports (claimed, outcomes, notices, revocations). */
  tick?: unknown;
  /** The jump is made in steps of at most a day, each followed by a tick. */
  steps?: number;
}
