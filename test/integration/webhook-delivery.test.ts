import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { startWebhookReceiver, type ReceivedWebhook } from '../helpers/webhook-receiver.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';
import { deliverWebhooks } from '../../src/use-cases/deliver-webhooks.ts';
import { DueWorkProbe } from '../../src/storage/repositories/due-work-probe.ts';
import type { EngineEventType } from '../../src/domain/engine/engine-events.ts';

// Dispatcher runs are given explicit times after the service clock's "now" (replays are due at that now).
let T0 = new Date();
const at = (ms: number) => new Date(T0.getTime() + ms);

describe('webhook delivery of engine events', () => {
  let s: TestStack;
  let admin: string;
  let seqCounter = 0;

  beforeAll(async () => {
    s = await startTestStack();
  });
  afterAll(async () => {
    await s?.close();
  });
  beforeEach(async () => {
    await s.reset();
    admin = (await issueSandboxAdminToken(s.services)).token;
    T0 = s.services.clock.now();
  });

  async function createEndpoint(url: string) {
    const r = await s.api('POST', '/api/admin/webhook-endpoints', { token: admin, body: { url, description: 'test engine' } });
    expect(r.status).toBe(201);
    return r.body as { id: string; secret: string };
  }

  async function event(userId: string, type: EngineEventType = 'entitlements.updated', payload: Record<string, unknown> = {}) {
    return s.services.ctx.repo.transaction((repo) =>
      repo.appendEngineEvent({
        id: s.services.ctx.ids.next('evt'),
        userId,
        type,
        payload: { user_id: userId, plan: 'standard', auto_trading_enabled: true, limit: 5_000_000, n: ++seqCounter, ...payload },
        occurredAt: T0,
      }),
    );
  }

  const deliver = (now: Date) => deliverWebhooks(s.services.webhooks.delivery, now);
  const deliveries = async (q = '') => (await s.api('GET', `/api/admin/webhook-deliveries${q}`, { token: admin })).body.deliveries as any[];

  it('signs each message as a Standard Webhook: the library verifies it with the secret and refuses another', async () => {
    const rx = await startWebhookReceiver();
    try {
      const ep = await createEndpoint(rx.url + '/hooks');
      expect(ep.secret).toMatch(/^whsec_/);
      const { userId } = await s.signup();
      const e = await event(userId, 'subscription.activated', { plan: 'premium', limit: 10_000_000 });
      const r = await deliver(at(0));
      expect(r.succeeded).toBe(1);
      expect(rx.received).toHaveLength(1);
      const m = rx.received[0];
      expect(m.path).toBe('/hooks');
      expect(m.headers['webhook-id']).toBe(e.id);
      const verified = new Webhook(ep.secret).verify(m.body, m.headers) as any;
      expect(verified).toMatchObject({
        type: 'subscription.activated',
        data: { user_id: userId, seq: 1, event_id: e.id, plan: 'premium', limit: 10_000_000, auto_trading_enabled: true },
      });
      expect(() => new Webhook('whsec_' + Buffer.from('another secret of 24 byt').toString('base64')).verify(m.body, m.headers)).toThrow();
      expect(() => new Webhook(ep.secret).verify(m.body.replace('premium', 'pro'), m.headers)).toThrow();
      // The secret is shown once: the list has a hint only.
      const list = await s.api('GET', '/api/admin/webhook-endpoints', { token: admin });
      expect(JSON.stringify(list.body)).not.toContain(ep.secret);
    } finally {
      await rx.close();
    }
  });

  it('a receiver failing 3 times then succeeding gets the event 4 times with the same webhook-id, on the backoff schedule, all logged', async () => {
    const rx = await startWebhookReceiver((_r, n) => (n < 3 ? 500 : 200));
    try {
      await createEndpoint(rx.url);
      const { userId } = await s.signup();
      const e = await event(userId);
      await deliver(at(0));
      await deliver(at(4_000)); // before the 5 s retry: nothing
      expect(rx.received).toHaveLength(1);
      await deliver(at(5_000));
      await deliver(at(5_000 + 29_000));
      expect(rx.received).toHaveLength(2);
      await deliver(at(5_000 + 30_000));
      await deliver(at(35_000 + 120_000));
      expect(rx.received.map((m) => m.answered)).toEqual([500, 500, 500, 200]);
      expect(new Set(rx.received.map((m) => m.headers['webhook-id']))).toEqual(new Set([e.id]));
      const [d] = await deliveries(`?user_id=${userId}`);
      expect(d).toMatchObject({ status: 'succeeded', attempts: 4, event_id: e.id, seq: 1 });
      expect(d.log.map((a: any) => a.status_code)).toEqual([500, 500, 500, 200]);
      expect(d.log.every((a: any) => typeof a.duration_ms === 'number' && a.at)).toBe(true);
      expect(d.log[0].error).toContain('HTTP 500');
    } finally {
      await rx.close();
    }
  });

  it('a dispatcher that dies after claiming (lease held, nothing recorded) is redelivered with the same webhook-id after the lease', async () => {
    const rx = await startWebhookReceiver();
    try {
      await createEndpoint(rx.url);
      const { userId } = await s.signup();
      const e = await event(userId);
      const lease = s.services.webhooks.delivery.settings.leaseMs;
      // Dispatcher A fans out and claims, then is gone (killed before it could record anything).
      await s.services.webhooks.repo.fanOut(at(0), 100);
      const claimed = await s.services.webhooks.repo.claimDue(at(0), 10, at(lease), 'lease_dead');
      expect(claimed).toHaveLength(1);
      // While the lease holds, no other dispatcher sends it.
      expect((await deliver(at(lease - 1_000))).claimed).toBe(0);
      expect(rx.received).toHaveLength(0);
      const r = await deliver(at(lease + 1));
      expect(r.succeeded).toBe(1);
      expect(rx.received.map((m) => m.headers['webhook-id'])).toEqual([e.id]);
      const [d] = await deliveries(`?user_id=${userId}`);
      expect(d).toMatchObject({ status: 'succeeded', attempts: 2 });
      // The dead dispatcher's late outcome cannot overwrite the new holder's.
      const late = await s.services.webhooks.repo.recordAttempt(
        { deliveryId: d.id, attempt: 1, attemptedAt: at(lease + 2), statusCode: 500, durationMs: 1, error: 'late' },
        'lease_dead',
        { status: 'pending', nextAttemptAt: at(lease + 10_000) },
      );
      expect(late).toBe(false);
      expect((await deliveries(`?user_id=${userId}`))[0].status).toBe('succeeded');
    } finally {
      await rx.close();
    }
  });

  it('keeps each user\'s order under retries: seq n+1 waits until seq n succeeded; other users are not held up', async () => {
    let failuresLeft = 2;
    const rx = await startWebhookReceiver((r) => (r.json?.data?.seq === 1 && r.json.data.user_id === blocked && failuresLeft-- > 0 ? 503 : 200));
    const { userId: blocked } = await s.signup();
    const { userId: other } = await s.signup();
    try {
      await createEndpoint(rx.url);
      for (let i = 0; i < 3; i++) await event(blocked);
      for (let i = 0; i < 2; i++) await event(other);
      const seqsOf = (u: string) => rx.received.filter((m) => m.json.data.user_id === u).map((m) => [m.json.data.seq, m.answered]);
      await deliver(at(0));
      expect(seqsOf(blocked)).toEqual([[1, 503]]);
      expect(seqsOf(other).map(([q]) => q)).toEqual([1]);
      await deliver(at(1_000));
      expect(seqsOf(blocked)).toEqual([[1, 503]]);
      expect(seqsOf(other).map(([q]) => q)).toEqual([1, 2]);
      for (const t of [5_000, 6_000, 40_000, 41_000, 42_000, 43_000]) await deliver(at(t));
      expect(seqsOf(blocked)).toEqual([
        [1, 503],
        [1, 503],
        [1, 200],
        [2, 200],
        [3, 200],
      ]);
    } finally {
      await rx.close();
    }
  });

  it('while a user\'s first delivery backs off, the ones behind it (and later events) wait with it: a claim reads only what may be sent', async () => {
    // An engine outage: before, every delivery behind a failing one stayed due, so each claim
    // read the whole backlog (575 ms a claim over 100,000 waiting deliveries) to send nothing.
    let failing = true;
    const rx = await startWebhookReceiver((r) => (failing && r.json?.data?.seq === 1 ? 503 : 200));
    const { userId } = await s.signup();
    try {
      await createEndpoint(rx.url);
      for (let i = 0; i < 3; i++) await event(userId);
      await deliver(at(0));
      expect(rx.received.map((m) => [m.json.data.seq, m.answered])).toEqual([[1, 503]]);
      await event(userId); // seq 4, fanned out while seq 1 backs off
      await deliver(at(1_000));
      const rows = await s.db.db
        .selectFrom('webhook_deliveries')
        .select(['seq', 'next_attempt_at'])
        .where('user_id', '=', userId)
        .orderBy('seq')
        .execute();
      const retryAt = new Date(rows[0].next_attempt_at as unknown as string | Date).getTime();
      expect(retryAt).toBeGreaterThan(at(1_000).getTime());
      for (const r of rows.slice(1)) expect(new Date(r.next_attempt_at as unknown as string | Date).getTime(), `seq ${r.seq}`).toBeGreaterThanOrEqual(retryAt);
      // Nothing is due until the retry: a claim finds no row to read past.
      const due = await s.db.db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', at(1_000))
        .executeTakeFirstOrThrow();
      expect(Number(due.n)).toBe(0);
      failing = false;
      for (const t of [retryAt - T0.getTime(), retryAt - T0.getTime() + 1_000, retryAt - T0.getTime() + 2_000, retryAt - T0.getTime() + 3_000]) await deliver(at(t));
      expect(rx.received.map((m) => [m.json.data.seq, m.answered])).toEqual([
        [1, 503],
        [1, 200],
        [2, 200],
        [3, 200],
        [4, 200],
      ]);
    } finally {
      await rx.close();
    }
  });

  it('a delivery replayed during its backoff and then delivered lets the ones behind it go at once', async () => {
    let failing = true;
    const rx = await startWebhookReceiver((r) => (failing && r.json?.data?.seq === 1 ? 503 : 200));
    const { userId } = await s.signup();
    const nextAttemptOf = async (seq: number) =>
      new Date(
        (await s.db.db.selectFrom('webhook_deliveries').select('next_attempt_at').where('user_id', '=', userId).where('seq', '=', seq).executeTakeFirstOrThrow())
          .next_attempt_at as unknown as string | Date,
      ).getTime() - T0.getTime();
    try {
      await createEndpoint(rx.url);
      for (let i = 0; i < 3; i++) await event(userId);
      let t = 0;
      let last = 0;
      for (let i = 0; i < 5; i++) {
        last = t;
        await deliver(at(t));
        t = await nextAttemptOf(1);
      }
      expect(t).toBeGreaterThan(3_600_000); // the sixth attempt is an hour or more away
      expect(await nextAttemptOf(3)).toBe(t); // and the deliveries behind it wait with it
      failing = false;
      const [head] = await deliveries(`?user_id=${userId}&status=pending`).then((ds) => ds.filter((d) => d.seq === 1));
      expect((await s.api('POST', `/api/admin/webhook-deliveries/${head.id}/replay`, { token: admin })).status).toBe(200);
      const now = last + 60_000; // a minute after the fifth attempt, long before the sixth
      for (const dt of [0, 1_000, 2_000]) await deliver(at(now + dt));
      const failures = Array.from({ length: 5 }, () => [1, 503]);
      expect(rx.received.map((m) => [m.json.data.seq, m.answered])).toEqual([...failures, [1, 200], [2, 200], [3, 200]]);
    } finally {
      await rx.close();
    }
  });

  it('a disabled endpoint gets nothing; enabled again, it gets the backlog in order; other endpoints are unaffected', async () => {
    const a = await startWebhookReceiver();
    const b = await startWebhookReceiver();
    try {
      const epA = await createEndpoint(a.url);
      await createEndpoint(b.url);
      const { userId } = await s.signup();
      const off = await s.api('POST', `/api/admin/webhook-endpoints/${epA.id}/disable`, { token: admin });
      expect(off.body).toMatchObject({ id: epA.id, enabled: false });
      for (let i = 0; i < 3; i++) await event(userId);
      for (let t = 0; t < 4; t++) await deliver(at(t * 1000));
      expect(a.received).toHaveLength(0);
      expect(b.received.map((m) => m.json.data.seq)).toEqual([1, 2, 3]);
      const on = await s.api('POST', `/api/admin/webhook-endpoints/${epA.id}/enable`, { token: admin });
      expect(on.body.enabled).toBe(true);
      for (let t = 4; t < 8; t++) await deliver(at(t * 1000));
      expect(a.received.map((m) => m.json.data.seq)).toEqual([1, 2, 3]);
      expect(b.received).toHaveLength(3);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('parks a disabled endpoint\'s backlog: nothing of it is due (no claim reads it, the idle probe sees no webhook work), a delivery in flight and a replay included; enabled, it goes in order', async () => {
    // Before, a disabled endpoint's deliveries stayed due: each claim read (and joined away) the
    // whole backlog, and the idle probe reported webhook work at every tick while it was disabled.
    let failing = true;
    const rx = await startWebhookReceiver((r) => (failing && r.json?.data?.seq === 1 ? 503 : 200));
    const probe = new DueWorkProbe(s.db.db);
    const webhookWork = async (t: number) => (await probe.due(at(t), ['webhooks'])).has('webhooks');
    const dueRows = async (t: number) =>
      Number(
        (
          await s.db.db
            .selectFrom('webhook_deliveries')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', at(t))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const { userId } = await s.signup();
    try {
      const ep = await createEndpoint(rx.url);
      for (let i = 0; i < 3; i++) await event(userId);
      await deliver(at(0)); // seq 1 fails: it backs off, 2 and 3 wait behind it
      const store = s.services.webhooks.repo;
      expect((await s.api('POST', `/api/admin/webhook-endpoints/${ep.id}/disable`, { token: admin })).body.enabled).toBe(false);
      await event(userId); // seq 4, fanned out while disabled
      await deliver(at(1_000)); // fans seq 4 out
      const day = 86_400_000;
      expect(await dueRows(30 * day)).toBe(0);
      expect(await webhookWork(30 * day)).toBe(false);
      // The log shows them pending with no next attempt (parked).
      const pending = await deliveries(`?user_id=${userId}&status=pending`);
      expect(pending.map((d) => [d.seq, d.next_attempt_at])).toEqual(expect.arrayContaining([[1, null], [2, null], [3, null], [4, null]]));
      // A replay while disabled stays parked too.
      const head = pending.find((d) => d.seq === 1);
      expect((await s.api('POST', `/api/admin/webhook-deliveries/${head.id}/replay`, { token: admin })).status).toBe(200);
      expect(await dueRows(30 * day)).toBe(0);
      // One due all the same (a fan-out that raced the disable): the next claim parks it.
      await s.db.db.updateTable('webhook_deliveries').set({ next_attempt_at: at(1_000) }).where('id', '=', head.id).execute();
      expect(await dueRows(30 * day)).toBe(1);
      await deliver(at(1_500));
      expect(await dueRows(30 * day)).toBe(0);
      // A delivery claimed just before the disable, whose attempt fails after it: parked, with the ones behind it.
      expect((await s.api('POST', `/api/admin/webhook-endpoints/${ep.id}/enable`, { token: admin })).body.enabled).toBe(true);
      const [claimed] = await store.claimDue(at(2_000), 1, at(2_000 + 60_000), 'lease-test');
      expect(claimed).toMatchObject({ seq: 1 });
      expect((await s.api('POST', `/api/admin/webhook-endpoints/${ep.id}/disable`, { token: admin })).body.enabled).toBe(false);
      const recorded = await store.recordAttempt(
        { deliveryId: claimed!.id, attempt: claimed!.attempts, attemptedAt: at(2_000), statusCode: 503, durationMs: 1, error: null },
        'lease-test',
        { status: 'pending', nextAttemptAt: at(62_000) },
      );
      expect(recorded).toBe(true);
      expect(await dueRows(30 * day)).toBe(0);
      await event(userId); // seq 5, behind the failed one's backoff: parked as well
      await deliver(at(3_000));
      expect(await dueRows(30 * day)).toBe(0);
      expect(rx.received.map((m) => [m.json.data.seq, m.answered])).toEqual([[1, 503]]);

      failing = false;
      expect((await s.api('POST', `/api/admin/webhook-endpoints/${ep.id}/enable`, { token: admin })).body.enabled).toBe(true);
      expect(await webhookWork(4_000)).toBe(true);
      for (let t = 4; t < 10; t++) await deliver(at(t * 1000));
      expect(rx.received.map((m) => [m.json.data.seq, m.answered])).toEqual([[1, 503], [1, 200], [2, 200], [3, 200], [4, 200], [5, 200]]);
    } finally {
      await rx.close();
    }
  });

  it('replays a delivery and an event with the same webhook-id; non-admins are refused', async () => {
    const rx = await startWebhookReceiver();
    try {
      await createEndpoint(rx.url);
      const { userId, token } = await s.signup();
      const e = await event(userId);
      await deliver(at(0));
      const [d] = await deliveries(`?user_id=${userId}&status=succeeded`);
      expect((await s.api('POST', `/api/admin/webhook-deliveries/${d.id}/replay`, { token })).status).toBe(403);
      const r = await s.api('POST', `/api/admin/webhook-deliveries/${d.id}/replay`, { token: admin });
      expect(r.status).toBe(200);
      expect(r.body.delivery.status).toBe('pending');
      await deliver(at(600_000));
      const ev = await s.api('POST', `/api/admin/engine-events/${e.id}/replay`, { token: admin });
      expect(ev.body.deliveries).toHaveLength(1);
      await deliver(at(1_200_000));
      expect(rx.received.map((m) => m.headers['webhook-id'])).toEqual([e.id, e.id, e.id]);
      expect((await s.api('POST', `/api/admin/webhook-deliveries/whd_nope/replay`, { token: admin })).status).toBe(404);
      expect((await s.api('GET', '/api/admin/webhook-endpoints', { token })).status).toBe(403);
    } finally {
      await rx.close();
    }
  });

  it('rotating the secret signs with both keys during the overlap', async () => {
    const rx = await startWebhookReceiver();
    try {
      const ep = await createEndpoint(rx.url);
      const rot = await s.api('POST', `/api/admin/webhook-endpoints/${ep.id}/rotate-secret`, { token: admin });
      expect(rot.body.secret).toMatch(/^whsec_/);
      expect(rot.body.secret).not.toBe(ep.secret);
      const { userId } = await s.signup();
      await event(userId);
      await deliver(at(0));
      const m = rx.received[0];
      expect(() => new Webhook(ep.secret).verify(m.body, m.headers)).not.toThrow();
      expect(() => new Webhook(rot.body.secret).verify(m.body, m.headers)).not.toThrow();
    } finally {
      await rx.close();
    }
  });

  it('does not follow redirects (a 3xx is a failed attempt) and refuses endpoint URLs with credentials or other schemes', async () => {
    const target = await startWebhookReceiver();
    const rx = await startWebhookReceiver(() => [307, { location: target.url + '/elsewhere' }]);
    try {
      await createEndpoint(rx.url);
      const { userId } = await s.signup();
      await event(userId);
      const r = await deliver(at(0));
      expect(r.failed).toBe(1);
      expect(target.received).toHaveLength(0);
      const [d] = await deliveries(`?user_id=${userId}`);
      expect(d).toMatchObject({ status: 'pending', last_status_code: 307 });
      for (const url of ['ftp://127.0.0.1/x', 'http://user:pw@127.0.0.1/x', 'not a url']) {
        const bad = await s.api('POST', '/api/admin/webhook-endpoints', { token: admin, body: { url } });
        expect(bad.status, url).toBe(400);
      }
    } finally {
      await rx.close();
      await target.close();
    }
  });

  it('gives up after 3 days of failures and then lets the user\'s next event through', async () => {
    const rx = await startWebhookReceiver((r) => (r.json.data.seq === 1 ? 500 : 200));
    try {
      await createEndpoint(rx.url);
      const { userId } = await s.signup();
      await event(userId);
      await event(userId);
      let t = 0;
      for (let i = 0; i < 40 && (await deliveries(`?user_id=${userId}&status=failed`)).length === 0; i++) {
        await deliver(at(t));
        t += 12 * 3_600_000;
      }
      const [failed] = await deliveries(`?user_id=${userId}&status=failed`);
      expect(failed.seq).toBe(1);
      expect(rx.received.every((m) => m.json.data.seq === 1)).toBe(true);
      await deliver(at(t));
      expect(rx.received.at(-1)!.json.data.seq).toBe(2);
    } finally {
      await rx.close();
    }
  });
});
