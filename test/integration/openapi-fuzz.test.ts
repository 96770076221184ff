import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { startTestStack, type TestStack } from '../helpers/test-stack.ts';
import { ADMIN_EMAIL, kakaoCheckout } from '../helpers/refund-fixtures.ts';

/**
 * Issue 12 item 2: a fuzzer over our OpenAPI document (/docs/json). Every documented route gets
 * requests with wrong types, missing and extra fields, huge / unicode / NUL / lone-surrogate
 * strings, bad content types, malformed JSON and bad ids, with no token, a user's, an admin's or
 * a forged one. Every answer must be below 500, and every 4xx must be our envelope
 * `{"error":{"code","message"}}`.
 *
 * Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> FUZZ_RUNS=<runs> npx vitest run
 * test/integration/openapi-fuzz.test.ts (docs/faults.md, "Fuzzer").
 */

const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
// Enough runs that every documented route (60+) is drawn at least once with the fixed seed.
const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const label = process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite';

/**
 * Routes that answer something other than JSON on success (errors are still our envelope):
 * the provider return URL redirects (303) to our pages; the CSV export and the receipt page;
 * Prometheus metrics (text), if the document lists them.
 */
const NON_JSON_SUCCESS: Record<string, 'redirect' | 'csv' | 'html' | 'text' | 'pdf'> = {
  'GET /api/payment/{method}/return': 'redirect',
  'GET /api/admin/payments.csv': 'csv',
  'GET /api/admin/audit.csv': 'csv',
  'GET /api/admin/exports/{kind}.{format}': 'csv',
  'GET /api/payments/{id}/receipt': 'html',
  'GET /api/payments/{id}/receipt.pdf': 'pdf',
  'GET /metrics': 'text',
};

interface Operation {
  method: string;
  path: string;
  params: { name: string; in: 'path' | 'query' | 'header'; required: boolean; schema: any }[];
  body: any | null;
}

interface FuzzRequest {
  op: string;
  method: string;
  url: string;
  auth: 'none' | 'user' | 'admin' | 'forged' | 'user-cookie';
  headers: Record<string, string>;
  body: string | undefined;
}

let s: TestStack;
let ops: Operation[];
const sessions = { user: '', admin: '', other: '' };
const ids = { payment: '', otherPayment: '', user: '', other: '' };
const USER_EMAIL = 'fuzz-user@example.com';
const OTHER_EMAIL = 'fuzz-other@example.com';
const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  s = await startTestStack({ env: { ADMIN_EMAILS: ADMIN_EMAIL, AUTH_TOKEN_TTL_SECONDS: String(10 * 366 * 86_400) } });
  const admin = await s.signup(ADMIN_EMAIL);
  const user = await s.signup(USER_EMAIL);
  const other = await s.signup(OTHER_EMAIL);
  Object.assign(sessions, { admin: admin.token, user: user.token, other: other.token });
  Object.assign(ids, { user: user.userId, other: other.userId });
  ids.payment = (await kakaoCheckout(s, user.token)).paymentId;
  ids.otherPayment = (await kakaoCheckout(s, other.token)).paymentId;
  const doc = (await s.api('GET', '/docs/json')).body;
  ops = [];
  for (const [path, byMethod] of Object.entries<any>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(byMethod)) {
      ops.push({
        method: method.toUpperCase(),
        path,
        params: (op.parameters ?? []).map((p: any) => ({ name: p.name, in: p.in, required: !!p.required, schema: p.schema ?? {} })),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
      });
    }
  }
}, 180_000);
afterAll(async () => s?.close());

// ---- values ---------------------------------------------------------------------------------

const hostileStrings = fc.constantFrom(
  '',
  ' ',
  'a',
  '\u0000',
  'pay_\u0000x',
  '\ud800',
  'x\udfffy',
  '😀🇰🇷',
  '한글 결제',
  '\u202e\u0301',
  '../../etc/passwd',
  '%00',
  '%',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '{"a":1}',
  '-1',
  '0',
  '1e309',
  '99999999999999999999999',
  'NaN',
  'null',
  'true',
  '2026-13-45T99:99:99Z',
  'pay_x',
  'ref_x',
  'usr_x',
  '\n\r\t',
  'a'.repeat(300),
  'ㄱ'.repeat(5000),
  'A'.repeat(100_000),
);

const hostileScalar = fc.oneof(
  hostileStrings,
  fc.constantFrom(0, -1, 1, 1.5, -0.5, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 63, true, false, null),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer(),
  fc.double({ noNaN: true }),
);

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileScalar, { maxKeys: 4 }) },
  { weight: 1, arbitrary: fc.constant(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}')) },
);

/** A value the route would accept for this field name / schema (so deeper code runs too). */
function plausible(name: string, schema: any): fc.Arbitrary<unknown> {
  if (Array.isArray(schema?.enum)) return fc.constantFrom(...schema.enum);
  switch (name) {
    case 'plan':
      return fc.constantFrom('standard', 'pro', 'premium', 'free', 'gold');
    case 'method':
      return fc.constantFrom('kakaopay', 'naverpay', 'toss');
    case 'email':
      return fc.constantFrom(USER_EMAIL, ADMIN_EMAIL, 'new@example.com', 'not-an-email');
    case 'password':
      return fc.constantFrom(PASSWORD, 'short', 'correct horse battery staple 2');
    case 'id':
    case 'payment_id':
      return fc.constantFrom(ids.payment, ids.otherPayment, 'pay_unknown', 'ref_unknown', ids.user);
    case 'user_id':
      return fc.constantFrom(ids.user, ids.other, 'usr_unknown');
    case 'feature':
      return fc.constantFrom('signal.view', 'a', 'Bad Feature');
    case 'from':
    case 'to':
      return fc.constantFrom('2026-01', '2026-12-01', '2026-01-01T00:00:00Z', '2030-02-29T00:00:00Z', '0000-01-01T00:00:00Z');
    case 'price_krw':
    case 'amount_krw':
    case 'amount':
      return fc.constantFrom(1, 1000, 29000, 0, 49500);
    case 'advance_ms':
      return fc.constantFrom(0, 1, 60_000, 86_400_000, 8.64e15, Number.MAX_SAFE_INTEGER);
    case 'advance_days':
      return fc.constantFrom(0, 0.5, 1, 31, 1e6, 1e300);
    case 'idempotency-key':
      return fc.constantFrom('fuzz-key-0001', 'fuzz-key-0002', 'k');
    case 'limit':
      return fc.constantFrom(1, 20, 100, 200, 0, 1000);
    case 'cursor':
      return fc.constantFrom('', 'eyJ4IjoxfQ', 'not base64 !!');
    case 'reason':
      return fc.constantFrom('테스트 환불', 'x');
  }
  switch (schema?.type) {
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -10, max: Math.min(schema.maximum ?? 1e6, 1e6) });
    case 'number':
      return fc.double({ noNaN: true, noDefaultInfinity: true });
    case 'boolean':
      return fc.boolean();
    default:
      return fc.string({ maxLength: 20 });
  }
}

const field = (name: string, schema: any) => fc.oneof({ weight: 3, arbitrary: plausible(name, schema) }, { weight: 2, arbitrary: hostileValue });

/** A JSON body for an object schema: each field present (plausible or hostile) or missing, plus extras. */
function jsonBody(schema: any): fc.Arbitrary<unknown> {
  const props: Record<string, any> = schema?.properties ?? {};
  const entries = Object.entries(props).map(([k, v]) => fc.option(field(k, v), { nil: undefined, freq: 4 }).map((x) => [k, x] as const));
  const known = fc.tuple(...entries).map((kv) => Object.fromEntries(kv.filter(([, v]) => v !== undefined)));
  const extras = fc.dictionary(fc.constantFrom('extra', 'tid', 'pg_token', 'paymentId', 'role', 'admin', 'user_id', '__proto__'), hostileValue, { maxKeys: 3 });
  return fc.tuple(known, extras).map(([k, e]) => ({ ...e, ...k }));
}

type BodySpec = { contentType: string | null; text: string | undefined };

function bodyFor(op: Operation): fc.Arbitrary<BodySpec> {
  const json = (v: unknown): BodySpec => ({ contentType: 'application/json', text: JSON.stringify(v) });
  return fc.oneof(
    { weight: 8, arbitrary: jsonBody(op.body ?? {}).map(json) },
    { weight: 1, arbitrary: fc.constant<BodySpec>({ contentType: null, text: undefined }) },
    { weight: 1, arbitrary: hostileValue.map(json) },
    {
      weight: 1,
      arbitrary: fc.constantFrom<BodySpec>(
        { contentType: 'application/json', text: '' },
        { contentType: 'application/json', text: '{' },
        { contentType: 'application/json', text: '{"plan":"standard",}' },
        { contentType: 'application/json', text: '{"a":"\\ud800"}' },
        { contentType: 'application/json', text: '{"a":"\\u0000"}' },
        { contentType: 'application/json', text: '[' + '['.repeat(5000) },
        { contentType: 'application/json', text: `{"a":"${'x'.repeat(2_000_000)}"}` },
        { contentType: 'application/json; charset=latin1', text: '{}' },
        { contentType: 'application/json', text: '\uFEFF{}' },
        { contentType: 'text/plain', text: 'plan=standard' },
        { contentType: 'application/x-www-form-urlencoded', text: 'plan=standard&auto_renew=true' },
        { contentType: 'multipart/form-data; boundary=x', text: '--x\r\nContent-Disposition: form-data; name="plan"\r\n\r\nstandard\r\n--x--' },
        { contentType: 'application/xml', text: '<plan>standard</plan>' },
        { contentType: 'application/octet-stream', text: '\u0000\u0001\u0002' },
        { contentType: '', text: '{}' },
        { contentType: 'application/json', text: 'null' },
      ),
    },
  );
}

/** Percent-encodes every UTF-16 unit as UTF-8, lone surrogates as their (invalid) 3-byte form. */
function encode(v: unknown): string {
  const str = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  let out = '';
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (/[A-Za-z0-9_.~-]/.test(str[i])) out += str[i];
    else if (c < 0x80) out += '%' + c.toString(16).padStart(2, '0').toUpperCase();
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && str.charCodeAt(i + 1) >= 0xdc00 && str.charCodeAt(i + 1) <= 0xdfff) {
      out += encodeURIComponent(str.slice(i, i + 2));
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => '%' + b.toString(16).toUpperCase()).join('');
    else out += encodeURIComponent(str[i]);
  }
  return out;
}

/** Header values fetch can send (Latin-1, no CR/LF/NUL); anything else is left out. */
function headerValue(v: unknown): string | null {
  const str = typeof v === 'string' ? v : JSON.stringify(v) ?? '';
  return /^[\u0020-\u007e\u0080-\u00ff]*$/.test(str) && str.length < 8000 ? str : null;
}

function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  const params = op.params.map((p) =>
    p.required
      ? field(p.name, p.schema).map((v) => [p, v] as const)
      : fc.option(field(p.name, p.schema), { nil: undefined, freq: 2 }).map((v) => [p, v] as const),
  );
  const extraQuery = fc.dictionary(fc.constantFrom('payment_id', 'outcome', 'pg_token', 'q', 'x', 'limit', 'user_id'), hostileValue, { maxKeys: 2 });
  const auth = fc.constantFrom<FuzzRequest['auth']>('none', 'user', 'user', 'admin', 'admin', 'forged', 'user-cookie');
  const withBody = op.method !== 'GET';
  return fc
    .tuple(fc.tuple(...params), extraQuery, auth, withBody ? bodyFor(op) : fc.constant<BodySpec>({ contentType: null, text: undefined }))
    .map(([values, extra, who, body]) => {
      let path = op.path;
      const query: string[] = [];
      const headers: Record<string, string> = {};
      for (const [p, v] of values) {
        if (p.in === 'path') path = path.replace(`{${p.name}}`, encode(v ?? ''));
        else if (v === undefined) continue;
        else if (p.in === 'query') query.push(`${encode(p.name)}=${encode(v)}`);
        else {
          const h = headerValue(v);
          if (h !== null) headers[p.name] = h;
        }
      }
      for (const [k, v] of Object.entries(extra)) query.push(`${encode(k)}=${encode(v)}`);
      if (body.contentType !== null) headers['content-type'] = body.contentType;
      return {
        op: `${op.method} ${op.path}`,
        method: op.method,
        url: path + (query.length ? `?${query.join('&')}` : ''),
        auth: who,
        headers,
        body: body.text,
      };
    });
}

// ---- the run --------------------------------------------------------------------------------

/** Logs in again after a request that may have ended a session (logout, clock travel). */
async function refreshSessions() {
  for (const [key, email] of [['user', USER_EMAIL], ['admin', ADMIN_EMAIL], ['other', OTHER_EMAIL]] as const) {
    const r = await s.api('POST', '/api/auth/login', { body: { email, password: PASSWORD } });
    if (r.status === 200) sessions[key] = r.body.token;
  }
}

async function send(req: FuzzRequest): Promise<{ status: number; contentType: string; text: string }> {
  const headers: Record<string, string> = { ...req.headers };
  const token = req.auth === 'user' || req.auth === 'user-cookie' ? sessions.user : req.auth === 'admin' ? sessions.admin : null;
  if (req.auth === 'forged') headers.authorization = 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c3JfeCIsInJvbGUiOiJhZG1pbiJ9.x';
  else if (req.auth === 'user-cookie') {
    headers.cookie = `smts_session=${token}`;
    headers.origin = s.url;
  } else if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(s.url + req.url, { method: req.method, headers, body: req.body, redirect: 'manual' });
  return { status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text() };
}

/** What is wrong with the answer, or null. */
function problemWith(req: FuzzRequest, res: { status: number; contentType: string; text: string }): string | null {
  if (res.status >= 500) return `answered ${res.status}`;
  const kind = NON_JSON_SUCCESS[req.op];
  if (res.status >= 300 && res.status < 400) return kind === 'redirect' ? null : `unexpected redirect ${res.status}`;
  if (res.status < 300 && kind && kind !== 'redirect') return null;
  let body: any;
  try {
    body = JSON.parse(res.text);
  } catch {
    return `not JSON (${res.contentType}): ${res.text.slice(0, 200)}`;
  }
  if (!res.contentType.startsWith('application/json')) return `content-type ${res.contentType}`;
  if (res.status >= 400) {
    const ok =
      body && typeof body === 'object' && Object.keys(body).length === 1 && typeof body.error?.code === 'string' && typeof body.error?.message === 'string';
    if (!ok) return `error outside our envelope: ${res.text.slice(0, 300)}`;
  }
  return null;
}

function describeRequest(req: FuzzRequest): string {
  const body = req.body === undefined ? '' : `\n  body (${req.body.length} chars): ${JSON.stringify(req.body.slice(0, 500))}`;
  return `${req.method} ${req.url.slice(0, 500)}\n  auth: ${req.auth}\n  headers: ${JSON.stringify(req.headers).slice(0, 500)}${body}`;
}

describe(`OpenAPI fuzzer (${label})`, () => {
  it(
    `every documented route: no 5xx, every error in our envelope (seed ${SEED}, ${RUNS} runs)`,
    async () => {
      expect(ops.length).toBeGreaterThan(20);
      const anyRequest = fc.constantFrom(...ops).chain(requestFor);
      const statuses = new Map<string, Set<number>>();
      let failure: string | null = null;
      const result = await fc.check(
        fc.asyncProperty(anyRequest, async (req) => {
          const res = await send(req);
          (statuses.get(req.op) ?? statuses.set(req.op, new Set()).get(req.op)!).add(res.status);
          if (req.op.startsWith('POST /api/auth/logout') || req.op.startsWith('POST /api/sandbox/clock')) await refreshSessions();
          const problem = problemWith(req, res);
          if (problem) {
            failure = `${problem}\n  ${describeRequest(req)}`;
            return false;
          }
          return true;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
      if (result.failed) {
        throw new Error(
          `fuzz failure (reproduce: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS} npx vitest run test/integration/openapi-fuzz.test.ts)\n` +
            `counterexample path ${result.counterexamplePath}\n${failure ?? String(result.errorInstance)}`,
        );
      }
      // Every route was reached, and the deeper code ran (not only the validation 400s).
      if (RUNS >= 300) expect([...statuses.keys()].length).toBe(ops.length);
    },
    170_000,
  );
});
