import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CONFIG_VARIABLES } from '../../src/config/load-config.ts';
import { parseYaml, type Yaml } from './mini-yaml.ts';

/**
 * Docker is not available where the tests run: the deploy files are checked by reading them.
 * Names are compared with what the service reads (load-config's schema) and what it exports
 * (metric names), so a renamed variable or metric breaks this test, not a deployment.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const read = (p: string) => readFileSync(resolve(ROOT, p), 'utf8');

// Variables owned by other parts of the configuration work (APP_ENV, TRUST_PROXY), until they are
// in load-config's schema on this branch.
const KNOWN = new Set([...CONFIG_VARIABLES, 'APP_ENV', 'TRUST_PROXY']);

type Obj = { [k: string]: Yaml };
const obj = (v: Yaml | undefined): Obj => {
  expect(v !== null && typeof v === 'object' && !Array.isArray(v), `expected a map, got ${JSON.stringify(v)}`).toBe(true);
  return v as Obj;
};

function metricNames(): Set<string> {
  const src = read('src/observability/metrics.ts');
  const names = new Set([...src.matchAll(/name: '([a-z_]+)'/g)].map((m) => m[1]));
  for (const n of [...names]) for (const suffix of ['_bucket', '_count', '_sum']) names.add(n + suffix);
  return names;
}

/** Metric names used in a PromQL expression (identifiers followed by `{`, `[` or used bare). */
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b(billing_[a-z_]+)\b/g)].map((m) => m[1]);
}

describe('mini YAML reader', () => {
  it('reads maps, lists of maps, flow lists and comments; refuses what it does not know', () => {
    expect(parseYaml('a: 1\nb:\n  - x\n  - k: v\n    j: "q # not a comment"\nc: ["CMD", "x"] # c\n')).toEqual({
      a: 1,
      b: ['x', { k: 'v', j: 'q # not a comment' }],
      c: ['CMD', 'x'],
    });
    expect(() => parseYaml('a: &anchor 1\n')).toThrow(/unsupported/);
    expect(() => parseYaml('a: 1\na: 2\n')).toThrow(/duplicate/);
    expect(() => parseYaml('a:\n  b: 1\n c: 2\n')).toThrow();
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = [...text.matchAll(/^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/gim)].map((m) => ({ image: m[1], name: m[2] }));

  it('is multi-stage on Node 20, and the final stage runs as a non-root user', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    for (const s of stages) expect(s.image).toMatch(/^node:20[.-]/);
    const last = text.slice(text.lastIndexOf('\nFROM '));
    const user = /^USER\s+(\S+)/m.exec(last)?.[1];
    expect(user).toBeDefined();
    expect(['root', '0']).not.toContain(user);
    expect(last).toMatch(/^HEALTHCHECK [^]*?\/livez/m);
    // SIGTERM must reach node itself (graceful shutdown): exec form, no npm wrapper.
    expect(last).toMatch(/^CMD \["node", "--import", "tsx", "src\/http\/server\.ts"\]$/m);
    expect(last).not.toMatch(/--omit=dev/); // dependencies come from the deps stage
    expect(text).toMatch(/npm ci --omit=dev/);
  });

  it('copies only files that exist, and .dockerignore keeps secrets and local data out', () => {
    for (const m of text.matchAll(/^COPY (?!--from)(.+)$/gm)) {
      const parts = m[1].trim().split(/\s+/).filter((p) => !p.startsWith('--'));
      for (const src of parts.slice(0, -1)) expect(existsSync(resolve(ROOT, src)), src).toBe(true);
    }
    const ignore = read('.dockerignore').split('\n');
    for (const p of ['.env', '.data', 'node_modules', '.git']) expect(ignore).toContain(p);
  });
});

describe('compose.yaml', () => {
  const doc = obj(parseYaml(read('compose.yaml')));
  const services = obj(doc.services);

  it('has PostgreSQL, a server and two workers, all with healthchecks', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'server', 'worker']);
    expect(String(obj(services.postgres).image)).toMatch(/^postgres:\d+/);
    expect(obj(obj(services.worker).deploy).replicas).toBe(2);
    for (const [name, s] of Object.entries(services)) {
      const hc = obj(obj(s).healthcheck);
      expect(Array.isArray(hc.test), name).toBe(true);
      expect(hc.interval, name).toBeTruthy();
    }
    expect(JSON.stringify(obj(services.server).healthcheck)).toContain('/readyz');
    expect(JSON.stringify(obj(services.worker).healthcheck)).toContain(':9464/readyz');
  });

  it('runs server and workers as the non-root user from the image, with the right commands', () => {
    for (const name of ['server', 'worker']) {
      const s = obj(services[name]);
      expect(s.user, name).toBe('node');
      expect(s.env_file, name).toBe('.env');
      expect(s.image, name).toBe('smts-billing:latest');
    }
    expect(obj(services.server).build).toBe('.');
    expect(obj(services.server).command).toEqual(['node', '--import', 'tsx', 'src/http/server.ts']);
    expect(obj(services.worker).command).toEqual(['node', '--import', 'tsx', 'src/worker/main.ts']);
    // Workers start after the server has applied the migrations; both wait for a healthy database.
    expect(obj(obj(obj(services.worker).depends_on).server).condition).toBe('service_healthy');
    for (const name of ['server', 'worker']) expect(obj(obj(obj(services[name]).depends_on).postgres).condition).toBe('service_healthy');
  });

  it('sets only variables the service reads; production mode; the server leaves renewals to the workers', () => {
    for (const name of ['server', 'worker']) {
      const env = obj(obj(services[name]).environment);
      for (const key of Object.keys(env)) expect(KNOWN.has(key), `${name}: ${key} is not read by load-config`).toBe(true);
      expect(env.APP_ENV).toBe('production');
      expect(String(env.DATABASE_URL)).toMatch(/^postgres:\/\/billing:\$\{POSTGRES_PASSWORD\}@postgres:5432\/billing$/);
    }
    expect(obj(obj(services.server).environment).RENEWAL_WORKER_IN_PROCESS).toBe('false');
    expect(obj(obj(services.worker).environment).WORKER_HTTP_PORT).toBe('9464');
    // Shutdown budgets fit inside Docker's grace periods.
    for (const name of ['server', 'worker']) {
      const s = obj(services[name]);
      const grace = Number(String(s.stop_grace_period).replace(/s$/, '')) * 1000;
      expect(Number(obj(s.environment).SHUTDOWN_TIMEOUT_MS)).toBeLessThan(grace);
    }
    expect(String(obj(obj(services.postgres).environment).POSTGRES_PASSWORD)).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(obj(doc.volumes)).toHaveProperty('pgdata');
  });
});

describe('.env.example', () => {
  const entries = read('.env.example')
    .split('\n')
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.slice(0, l.indexOf('=')));

  it('names only variables the service (or compose, for POSTGRES_PASSWORD) reads', () => {
    for (const name of entries) expect(KNOWN.has(name) || name === 'POSTGRES_PASSWORD', name).toBe(true);
    expect(new Set(entries).size).toBe(entries.length);
  });

  it('covers what production needs, with no secret filled in', () => {
    for (const name of ['APP_ENV', 'PUBLIC_URL', 'TRUST_PROXY', 'AUTH_TOKEN_SECRET', 'KAKAOPAY_SECRET_KEY', 'KAKAOPAY_CID', 'KAKAOPAY_SUBSCRIPTION_CID', 'NAVERPAY_PARTNER_ID', 'NAVERPAY_CLIENT_ID', 'NAVERPAY_CLIENT_SECRET', 'NAVERPAY_CHAIN_ID', 'NAVERPAY_RECURRENT_CHAIN_ID', 'SMTP_URL', 'NOTICE_FROM', 'METRICS_TOKEN', 'POSTGRES_PASSWORD']) {
      expect(entries, name).toContain(name);
    }
    const values = Object.fromEntries(read('.env.example').split('\n').filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    for (const secret of ['AUTH_TOKEN_SECRET', 'KAKAOPAY_SECRET_KEY', 'NAVERPAY_CLIENT_SECRET', 'METRICS_TOKEN', 'POSTGRES_PASSWORD']) expect(values[secret], secret).toBe('');
    expect(values.APP_ENV).toBe('production');
    expect(values.SANDBOX_MODE).toBe('false');
  });
});

describe('alert rules and dashboard', () => {
  const known = metricNames();

  it('alerts.yml: every rule has a name, an expression on metrics we export, a severity and a summary', () => {
    const doc = obj(parseYaml(read('deploy/prometheus/alerts.yml')));
    const rules = (doc.groups as Yaml[]).flatMap((g) => obj(g).rules as Yaml[]).map(obj);
    expect(rules.length).toBeGreaterThanOrEqual(8);
    const names = rules.map((r) => r.alert);
    expect(new Set(names).size).toBe(names.length);
    for (const r of rules) {
      const used = metricsIn(String(r.expr));
      expect(used.length, String(r.alert)).toBeGreaterThan(0);
      for (const m of used) expect(known.has(m), `${r.alert}: ${m}`).toBe(true);
      expect(['page', 'ticket']).toContain(obj(r.labels).severity);
      expect(obj(r.annotations).summary).toBeTruthy();
    }
    // The figures the issue names have an alert: errors and each backlog.
    const all = rules.map((r) => String(r.expr)).join('\n');
    for (const m of ['billing_http_requests_total', 'billing_provider_call_duration_seconds_count', 'billing_unknown_payment_oldest_age_seconds', 'billing_renewal_lag_seconds', 'billing_outbox_oldest_age_seconds', 'billing_outbox_pending', 'billing_worker_heartbeat_age_seconds']) {
      expect(all).toContain(m);
    }
  });

  it('the Grafana dashboard is valid JSON whose queries use metrics we export', () => {
    const dash = JSON.parse(read('deploy/grafana/billing-dashboard.json'));
    expect(dash.uid).toBe('smts-billing');
    const exprs: string[] = dash.panels.flatMap((p: { targets: { expr: string }[] }) => p.targets.map((t) => t.expr));
    expect(exprs.length).toBeGreaterThanOrEqual(10);
    for (const e of exprs) for (const m of metricsIn(e)) expect(known.has(m), m).toBe(true);
  });
});
