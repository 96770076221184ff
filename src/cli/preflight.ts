import { runPreflight } from './preflight-checks.ts';

// `npm run preflight [-- --public-url]`: checks a production configuration end to end without
// moving money (see docs/going-live.md). Exit code 1 when any check fails.
const results = await runPreflight(process.env, { checkPublicUrl: process.argv.includes('--public-url') });
const mark = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' } as const;
for (const r of results) process.stdout.write(`${mark[r.status]}  ${r.check}: ${r.detail}\n`);
const failed = results.filter((r) => r.status === 'fail').length;
process.stdout.write(failed ? `\n${failed} check(s) failed\n` : '\nall checks passed\n');
process.exit(failed ? 1 : 0);
