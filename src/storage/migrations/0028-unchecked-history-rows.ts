import { sql, type Kysely } from 'kysely';

// Foreign-key checks a renewal paid for rows whose parent its own statement had just written
// (issue 15). Every inserted row with a foreign key costs PostgreSQL a trigger and a
// `SELECT … FOR KEY SHARE` of its parent: 10 per renewal in the renewal bench, 9 once a user's
// engine sequence row exists (pg_stat_statements with track = all, 2026-12-06). The three
// dropped here (4 checks per renewal) are on history rows that every writer derives from their
// parent in the same statement:
// - payment_events / subscription_events: the audit row of a status move is inserted by the
//   move's own statement from the row it moved (compare-and-set.ts, applyRenewalSettlements,
//   createCheckoutPayment); a lone audit row (addPaymentEvent, addSubscriptionEvent) is inserted
//   `SELECT … FROM` its parent and fails when there is none;
// - engine_events.user_id: inserted only with (after, or joined to) the user's
//   engine_event_sequences row bumped by the same statement, and that row keeps its foreign key.
// Users, subscriptions and payments are never deleted, so nothing orphans these rows later.
// `ORPHAN_ROWS_SQL` (operations-repository.ts) counts rows whose parent is missing; the chaos run
// (chaos/audit.ts) and test/integration/orphan-rows.test.ts require none.
const CONSTRAINTS: [table: string, name: string, definition: string][] = [
  ['payment_events', 'payment_events_payment_id_fkey', 'FOREIGN KEY (payment_id) REFERENCES payments(id)'],
  ['subscription_events', 'subscription_events_subscription_id_fkey', 'FOREIGN KEY (subscription_id) REFERENCES subscriptions(id)'],
  ['engine_events', 'engine_events_user_id_fkey', 'FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE'],
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const [table, name] of CONSTRAINTS) await sql`ALTER TABLE ${sql.table(table)} DROP CONSTRAINT ${sql.ref(name)}`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const [table, name, definition] of CONSTRAINTS) {
    await sql`ALTER TABLE ${sql.table(table)} ADD CONSTRAINT ${sql.ref(name)} ${sql.raw(definition)}`.execute(db);
  }
}
