import type { NoticeMessage, NoticeSender } from '../domain/ports.ts';

/**
 * Sandbox mode without SMTP: notices stay in the outbox, marked delivered to the local
 * mailbox that `GET /api/sandbox/mailbox` and `/sandbox/mailbox` show.
 */
export class MailboxNoticeSender implements NoticeSender {
  readonly channel = 'mailbox';
  readonly needsAddress = false;
  async send(_message: NoticeMessage): Promise<void> {}
}
