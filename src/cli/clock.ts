import { existsSync, readFileSync } from 'node:fs';
import { loadConfig } from '../config/load-config.ts';
import { sandboxAdminTokenFile } from './sandbox-admin-token.ts';
import { parseDuration } from '../use-cases/advance-test-clock.ts';

// `npm run clock -- 30d`: moves the sandbox-mode test clock of a running `npm start` (and both
// sandboxes' clocks) forward, then the service runs a renewal tick. Units: ms, s, m, h, d.
// The clock is admin-only: uses SMTS_TOKEN (an admin's token) if set, else the sandbox admin
// token that `npm start` writes to <DATA_DIR>/sandbox-admin-token. --url overrides the service
// address (default PUBLIC_URL, or http://HOST:PORT). Reads the same settings as `npm start`
// (APP_ENV=local unless set).
const config = loadConfig({ ...process.env, APP_ENV: process.env.APP_ENV || 'local' });
const args = process.argv.slice(2);
const urlFlag = args.indexOf('--url');
const base = (urlFlag >= 0 ? args.splice(urlFlag, 2)[1] : config.publicUrl).replace(/\/$/, '');
const what = args[0];
if (!what) {
  process.stderr.write('usage: npm run clock -- <duration>   e.g. 30d, 12h, 90m\n');
  process.exit(2);
}
const advanceMs = parseDuration(what);

async function call(method: string, path: string, body?: unknown, token?: string) {
  const res = await fetch(base + path, {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => null)) as any;
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status} ${json?.error?.message ?? ''} ${json?.error?.code ?? ''}`.trim());
  return json;
}

try {
  const tokenFile = sandboxAdminTokenFile(config.dataDir);
  const token = process.env.SMTS_TOKEN || (existsSync(tokenFile) ? readFileSync(tokenFile, 'utf8').trim() : '');
  if (!token) throw new Error(`no admin token: set SMTS_TOKEN, or start the service with npm start (it writes ${tokenFile})`);
  const r = await call('POST', '/api/sandbox/clock', { advance_ms: advanceMs }, token);
  const tick = r.tick ?? {};
  const providers = Object.entries(r.providers ?? {})
    .map(([p, v]: [string, any]) => `${p} ${v.ok ? 'moved' : `not moved (${v.error})`}`)
    .join(', ');
  process.stdout.write(
    [
      `테스트 시계: ${new Date(r.now).toLocaleString('ko-KR', { timeZone: 'Asia/Seoul' })} (offset ${Math.round(r.offset_ms / 3_600_000)}h)`,
      `sandboxes: ${providers}`,
      `renewal tick: claimed ${tick.claimed ?? 0}, approved ${tick.outcomes?.approved ?? 0}, declined ${tick.outcomes?.declined ?? 0}, notices ${tick.notices?.sent ?? 0}`,
      '',
    ].join('\n'),
  );
} catch (err) {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  if (String(err).includes('404')) process.stderr.write('Is the service running with SANDBOX_MODE on (npm start)?\n');
  if (String(err).includes('401') || String(err).includes('403')) {
    process.stderr.write('The test clock is admin-only: restart npm start (it writes a fresh sandbox admin token) or set SMTS_TOKEN to an admin token.\n');
  }
  process.exit(1);
}
