import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ORDER_CONSENT } from '../helpers/consents.ts';

// Settlement writes on the subscription as the approval read it with the payment (no second,
// locked read), its compare-and-set checking the row version. A subscription that changed in
// between (here: while the provider approves) is read again under lock and settled from there.

let s: TestStack;

beforeAll(async () => {
  s = await startTestStack();
});
afterAll(async () => s?.close());
beforeEach(async () => s.reset());

const DAY = 86_400_000;
const subOf = (userId: string) => s.db.db.selectFrom('subscriptions').selectAll().where('user_id', '=', userId).executeTakeFirstOrThrow();

async function checkout(token: string, duringApproval?: () => Promise<void>) {
  const r = await s.api('POST', '/api/payment/kakaopay/ready', { token, body: { ...ORDER_CONSENT, plan: 'standard', auto_renew: false } });
  expect(r.status).toBe(200);
  const auth = await s.sandbox('kakaopay', 'POST', `/__sandbox/tids/${r.body.tid}/authorize`, { action: 'approve' });
  const gateway = s.services.ctx.gateways.get('kakaopay')!;
  const approve = gateway.approveCheckout;
  if (duringApproval) {
    gateway.approveCheckout = async (input) => {
      await duringApproval();
      return approve.call(gateway, input);
    };
  }
  try {
    const a = await s.api('POST', '/api/payment/kakaopay/approve', { token, body: { tid: r.body.tid, pg_token: auth.pg_token } });
    expect([a.status, a.body.outcome]).toEqual([200, 'approved']);
    return a.body;
  } finally {
    gateway.approveCheckout = approve;
  }
}

describe(`settlement on the subscription read with the payment (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('unchanged: extends the period from its end, once', async () => {
    const u = await s.signup();
    await checkout(u.token);
    const before = await subOf(u.userId);
    await checkout(u.token);
    const after = await subOf(u.userId);
    expect(after.current_period_end!.getTime() - before.current_period_end!.getTime()).toBe(s.services.ctx.plans.periodMs);
  });

  it('changed meanwhile: settles from the row as it is now (read again, locked), once', async () => {
    const u = await s.signup();
    await checkout(u.token);
    const before = await subOf(u.userId);
    // Another writer moves the period end by a day while the provider approves.
    const moved = new Date(before.current_period_end!.getTime() + DAY);
    await checkout(u.token, async () => {
      await sql`UPDATE subscriptions SET current_period_end = ${moved} WHERE user_id = ${u.userId}`.execute(s.db.db);
    });
    const after = await subOf(u.userId);
    expect(after.current_period_end!.getTime()).toBe(moved.getTime() + s.services.ctx.plans.periodMs);
    const paid = await s.db.db.selectFrom('subscription_events').select('type').where('subscription_id', '=', after.id).where('type', '=', 'period_paid').execute();
    expect(paid).toHaveLength(1);
  });

  it('unchanged data but a new row version (an update writing the same values): settles once', async () => {
    const u = await s.signup();
    await checkout(u.token);
    const before = await subOf(u.userId);
    await checkout(u.token, async () => {
      await sql`UPDATE subscriptions SET auto_renew = auto_renew WHERE user_id = ${u.userId}`.execute(s.db.db);
    });
    const after = await subOf(u.userId);
    expect(after.current_period_end!.getTime() - before.current_period_end!.getTime()).toBe(s.services.ctx.plans.periodMs);
    const approved = await s.db.db.selectFrom('payments').select('id').where('user_id', '=', u.userId).where('status', '=', 'approved').execute();
    expect(approved).toHaveLength(2);
  });
});
