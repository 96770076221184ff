import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { sql } from 'kysely';
import { startKakaoPaySandbox } from '../../src/simulators/kakaopay/kakaopay-sandbox-app.ts';
import { createTestDb, type TestDb } from '../helpers/test-db.ts';
import { registerKakaoPaySids, seedSubscriptions, seedUserId } from '../../bench/renewal-seed.ts';

const onPostgres = !!process.env.DATABASE_URL;
const WORKERS = 4;
const SUBS = 2000;
const DAY = 86_400_000;

/**
 * Four `src/worker/main.ts` processes against one PostgreSQL schema renew 2,000 due
 * subscriptions; the sandbox's own count proves every period was charged exactly once.
 * PGlite is one in-process connection, so there is nothing to share between processes there.
 */
describe('renewal workers in several processes', () => {
  const children: ChildProcess[] = [];
  let db: TestDb | undefined;
  let close: (() => Promise<void>) | undefined;

  afterAll(async () => {
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.kill('SIGTERM');
          }),
      ),
    );
    await close?.();
    await db?.close();
  });

  it.skipIf(!onPostgres)(
    `${WORKERS} worker processes renew ${SUBS} due subscriptions, each period charged exactly once${onPostgres ? '' : ' (skipped: needs DATABASE_URL — PGlite is a single in-process connection)'}`,
    async () => {
      db = await createTestDb();
      const schema = db.label.split(':')[1];
      const kakao = await startKakaoPaySandbox({ port: 0 });
      close = kakao.close;

      const now = new Date();
      const userIds = Array.from({ length: SUBS }, (_, i) => seedUserId('w', i + 1));
      const sids = await registerKakaoPaySids(kakao.url, userIds, 128);
      const periodEnd = new Date(now.getTime() - 60_000);
      await seedSubscriptions(db.db, {
        prefix: 'w',
        count: SUBS,
        sids,
        planId: 'standard',
        priceKrw: 29000,
        periodMs: 30 * DAY,
        periodEnd,
        nextRenewalAt: periodEnd,
      });

      const url = new URL(process.env.DATABASE_URL!);
      url.searchParams.set('options', `-c search_path=${schema}`);
      for (let i = 0; i < WORKERS; i++) {
        const child = spawn(process.execPath, ['--import', 'tsx', 'src/worker/main.ts'], {
          env: {
            ...process.env,
            DATABASE_URL: url.toString(),
            KAKAOPAY_BASE_URL: kakao.url,
            LOG_LEVEL: 'warn',
            RENEWAL_TICK_MS: '100',
            RENEWAL_BATCH_SIZE: '25',
            RENEWAL_LOOPS: '2',
          },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        children.push(child);
      }
      // Every worker is up before the count starts (they may already be renewing).
      await Promise.all(
        children.map(
          (c) =>
            new Promise<void>((resolve, reject) => {
              c.once('exit', (code) => reject(new Error(`worker exited with ${code}`)));
              createInterface({ input: c.stdout! }).on('line', (l) => l.startsWith('{"ready"') && resolve());
            }),
        ),
      );

      const deadline = Date.now() + 90_000;
      let approved = 0;
      while (Date.now() < deadline) {
        const r = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE kind = 'renewal' AND status = 'approved'`.execute(db.db);
        approved = r.rows[0].n;
        if (approved >= SUBS) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      expect(approved).toBe(SUBS);
      // A little longer: nothing more may happen.
      await new Promise((r) => setTimeout(r, 1000));

      const stats = (await (await fetch(`${kakao.url}/__sandbox/stats`)).json()) as { charges_by_sid: Record<string, number>; subscription: number };
      expect(stats.subscription).toBe(SUBS);
      expect(Object.keys(stats.charges_by_sid)).toHaveLength(SUBS);
      expect(Object.values(stats.charges_by_sid).every((n) => n === 1)).toBe(true);

      const perSub = await sql<{ n: number; c: number }>`
        SELECT count(*)::int AS n, count(DISTINCT subscription_id)::int AS c FROM payments WHERE kind = 'renewal'`.execute(db.db);
      expect(perSub.rows[0]).toEqual({ n: SUBS, c: SUBS });
      const open = await sql<{ n: number }>`SELECT count(*)::int AS n FROM payments WHERE status IN ('approving', 'unknown', 'ready')`.execute(db.db);
      expect(open.rows[0].n).toBe(0);
      const ends = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM subscriptions WHERE status = 'active' AND current_period_end = ${new Date(periodEnd.getTime() + 30 * DAY)}::timestamptz`.execute(db.db);
      expect(ends.rows[0].n).toBe(SUBS);
      const cycles = await sql<{ n: number }>`SELECT count(*)::int AS n FROM billing_cycles WHERE status = 'paid'`.execute(db.db);
      expect(cycles.rows[0].n).toBe(SUBS);
    },
    180_000,
  );
});
