import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { startWebhookReceiver } from '../helpers/webhook-receiver.ts';
import { issueSandboxAdminToken } from '../../src/cli/sandbox-admin-token.ts';
import { deliverWebhooks } from '../../src/use-cases/deliver-webhooks.ts';

// A dispatcher process killed with SIGKILL while its POST is in flight: after the lease another
// dispatcher delivers the same event with the same webhook-id. PostgreSQL only (two processes
// on one database; the embedded PGlite allows one). The lease variant runs on both databases
// in webhook-delivery.test.ts.
describe.skipIf(!process.env.DATABASE_URL)('webhook dispatcher killed mid-delivery (PostgreSQL)', () => {
  let s: TestStack;
  beforeAll(async () => {
    s = await startTestStack();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('redelivers with the same webhook-id after the lease', async () => {
    let hold = true;
    // The first POST gets no answer (the dispatcher is killed while waiting); later ones 204.
    const rx = await startWebhookReceiver(() => (hold ? 0 : 204));
    try {
      const admin = (await issueSandboxAdminToken(s.services)).token;
      const ep = await s.api('POST', '/api/admin/webhook-endpoints', { token: admin, body: { url: rx.url } });
      expect(ep.status).toBe(201);
      const { userId } = await s.signup();
      const e = await s.services.ctx.repo.transaction((repo) =>
        repo.appendEngineEvent({ id: s.services.ctx.ids.next('evt'), userId, type: 'subscription.activated', payload: { user_id: userId, plan: 'pro', limit: null }, occurredAt: new Date() }),
      );
      const now = s.services.clock.now();
      const leaseMs = 60_000;
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/webhook-dispatcher-child.ts'], {
        env: { ...process.env, SCHEMA: s.db.schema!, NOW: now.toISOString(), LEASE_MS: String(leaseMs) },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<NodeJS.Signals | null>((ok) => child.on('exit', (_code, signal) => ok(signal)));
      await expect.poll(() => rx.received.length, { timeout: 30_000, interval: 50 }).toBe(1);
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      hold = false;
      expect(rx.received[0].headers['webhook-id']).toBe(e.id);

      const deliver = (t: number) => deliverWebhooks(s.services.webhooks.delivery, new Date(now.getTime() + t));
      expect((await deliver(leaseMs - 1_000)).claimed).toBe(0);
      const r = await deliver(leaseMs + 1);
      expect(r.succeeded).toBe(1);
      expect(rx.received.map((m) => m.headers['webhook-id'])).toEqual([e.id, e.id]);
      const list = await s.api('GET', `/api/admin/webhook-deliveries?user_id=${userId}`, { token: admin });
      expect(list.body.deliveries[0]).toMatchObject({ status: 'succeeded', attempts: 2 });
    } finally {
      await rx.close();
    }
  });
});
