import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createServer } from 'node:net';
import { sql } from 'kysely';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { OperationsRepository } from '../../src/storage/repositories/operations-repository.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { registerKakaoPaySids, seedSubscriptions, seedUserId } from '../../bench/renewal-seed.ts';

const onPostgres = !!process.env.DATABASE_URL;
const DAY = 86_400_000;
const SUBS = 3;

/**
 * `npm run worker` as a real child process (PostgreSQL only: PGlite is one in-process
 * connection). It records a heartbeat, follows the sandbox test clock stored in the database
 * (nothing else tells it the time moved), and on SIGTERM removes its heartbeat and exits 0.
 */
describe('the worker as a separate process', () => {
  let child: ChildProcess | undefined;
  let db: TestDb | undefined;
  let closeSandbox: (() => Promise<void>) | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        child!.once('exit', () => resolve());
        child!.kill('SIGKILL');
      });
    }
    await closeSandbox?.();
    await db?.close();
  });

  it.skipIf(!onPostgres)(
    `follows the test clock moved by the server, beats while running, leaves cleanly on SIGTERM${onPostgres ? '' : ' (skipped: needs DATABASE_URL)'}`,
    async () => {
      db = await createTestDb();
      const schema = db.label.split(':')[1];
      const kakao = await startKakaoPaySandbox({ port: 0 });
      closeSandbox = kakao.close;
      const ops = new OperationsRepository(db.db);

      // Subscriptions that renew in ten days: nothing is due by the real clock.
      const now = new Date();
      const sids = await registerKakaoPaySids(kakao.url, Array.from({ length: SUBS }, (_, i) => seedUserId('p', i + 1)));
      const periodEnd = new Date(now.getTime() + 10 * DAY);
      await seedSubscriptions(db.db, { prefix: 'p', count: SUBS, sids, planId: 'standard', priceKrw: 29000, periodMs: 30 * DAY, periodEnd, nextRenewalAt: periodEnd });

      const httpPort = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const port = (probe.address() as { port: number }).port;
          probe.close(() => resolve(port));
        });
      });
      const url = new URL(process.env.DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
        env: {
          ...process.env,
          APP_ENV: 'local',
          SANDBOX_MODE: 'true',
          DATABASE_URL: url.toString(),
          KAKAOPAY_BASE_URL: kakao.url,
          LOG_LEVEL: 'warn',
          RENEWAL_TICK_MS: '100',
          RENEWAL_NOTICE_DAYS: '0',
          WORKER_HTTP_PORT: String(httpPort),
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const exited = new Promise<number | null>((resolve) => child!.once('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        child!.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
        createInterface({ input: child!.stdout! }).on('line', (l) => l.startsWith('{"ready"') && resolve());
      });

      // Its heartbeat is recorded.
      await expect.poll(async () => (await sql<{ pid: number }>`SELECT pid FROM worker_heartbeats`.execute(db!.db)).rows.map((r) => r.pid), { timeout: 10_000 }).toEqual([child.pid]);

      // Its own probes and metrics (WORKER_HTTP_PORT).
      const ready = await fetch(`http://127.0.0.1:${httpPort}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, checks: { database: { ok: true }, migrations: { ok: true }, worker: { ok: true } } });
      expect((await fetch(`http://127.0.0.1:${httpPort}/livez`)).status).toBe(200);

      // A few ticks by the real clock: nothing is charged.
      await new Promise((r) => setTimeout(r, 500));
      const charged = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE kind = 'renewal' AND status = 'approved'`.execute(db!.db)).rows[0].n;
      expect(await charged()).toBe(0);

      // The server moves the test clock 11 days (what POST /api/sandbox/clock stores); the worker follows.
      await ops.saveTestClockOffset(11 * DAY, new Date());
      await expect.poll(charged, { timeout: 30_000, interval: 200 }).toBe(SUBS);
      const ends = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM subscriptions WHERE current_period_end = ${new Date(periodEnd.getTime() + 30 * DAY)}::timestamptz`.execute(db.db);
      expect(ends.rows[0].n).toBe(SUBS);
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      expect(metrics).toContain(`billing_payments_total{provider="kakaopay",operation="charge",outcome="approved",role="worker"} ${SUBS}`);
      expect(metrics).toMatch(/^billing_worker_ticks_total\{outcome="ok",role="worker"\} \d+$/m);

      // Graceful stop: exit 0, heartbeat gone, nothing left approving.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(await ops.lastBeat()).toBeNull();
      const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE status IN ('approving', 'unknown')`.execute(db.db);
      expect(open.rows[0].n).toBe(0);
    },
    120_000,
  );
});
