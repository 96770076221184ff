import { sql, type Kysely } from 'kysely';

// Receipts (issue 11 item 13): the card approval number (승인번호) the card company issued for
// the payment, as the provider reports it (KakaoPay `card_info.approved_id`, NaverPay
// `cardAuthNo`). Not the provider's transaction id (`provider_ref`); null for non-card methods
// and for payments approved before this column existed.
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE payments ADD COLUMN approval_no text`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`ALTER TABLE payments DROP COLUMN IF EXISTS approval_no`.execute(db);
}
