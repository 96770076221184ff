import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { PG_TYPES } from '../../src/storage/create-db.ts';

/**
 * The service reads timestamptz with its own parser (src/storage/pg-timestamp.ts). Here
 * PostgreSQL writes the values, in zones with whole-hour, half-hour, quarter-hour and
 * old local-mean-time offsets, and the pool's reading must equal node-postgres' own.
 */
const url = process.env.DATABASE_URL;
const ZONES = ['UTC', 'Asia/Seoul', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'America/Los_Angeles'];
const VALUES = [
  '2026-12-05 23:29:22.539123+00',
  '2026-12-31 15:00:00+00',
  '2027-03-14 02:30:00.5+00',
  '1999-12-31 23:59:59.999999+00',
  '1890-01-01 00:00:00+00',
  '1000-01-01 12:00:00+00',
  '0500-06-01 00:00:00+00',
  '0044-03-15 12:00:00+00 BC',
  '20000-01-01 00:00:00+00',
  'infinity',
  '-infinity',
];

describe.skipIf(!url)('timestamptz as read by the service pools (PostgreSQL)', () => {
  let ours: pg.Client;
  let theirs: pg.Client;
  beforeAll(async () => {
    ours = new pg.Client({ connectionString: url, types: PG_TYPES });
    theirs = new pg.Client({ connectionString: url });
    await Promise.all([ours.connect(), theirs.connect()]);
  });
  afterAll(async () => {
    await Promise.all([ours?.end(), theirs?.end()]);
  });

  it.each(ZONES)('reads what PostgreSQL writes in %s as node-postgres does', async (zone) => {
    const q = `SELECT v::timestamptz AS t, v::timestamptz::text AS text FROM unnest($1::text[]) AS v`;
    for (const c of [ours, theirs]) await c.query(`SET TIME ZONE '${zone}'`);
    const [a, b] = await Promise.all([ours.query(q, [VALUES]), theirs.query(q, [VALUES])]);
    expect(a.rows.map((r) => r.text)).toEqual(b.rows.map((r) => r.text));
    a.rows.forEach((r, i) => expect(r.t, r.text).toEqual(b.rows[i].t));
  });
});
