import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';

/**
 * Dependency rules from STYLE.md, checked on the import graph: dependencies
 * point inward, sandboxes never see adapter code, the web app sees only the
 * API's types.
 */
const ROOT = resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      if (name !== 'node_modules' && name !== 'dist') out.push(...files(p));
    } else if (/\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name)) out.push(p);
  }
  return out;
}

/** Relative imports of a file, resolved to repo-relative paths. */
function importsOf(file: string): string[] {
  const src = readFileSync(file, 'utf8');
  const specs = [...src.matchAll(/(?:import|export)[^'"]*?from\s+['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)].map((m) => m[1] ?? m[2]);
  return specs.map((s) => relative(ROOT, resolve(dirname(file), s)));
}

function violations(folder: string, allowed: (target: string) => boolean): string[] {
  const out: string[] = [];
  for (const f of files(join(ROOT, folder))) {
    for (const target of importsOf(f)) if (!allowed(target)) out.push(`${relative(ROOT, f)} → ${target}`);
  }
  return out;
}

/** Import cycles among `folder`'s files (relative imports only, type imports included). */
function cycles(folder: string): string[][] {
  const graph = new Map<string, string[]>();
  for (const f of files(join(ROOT, folder))) {
    graph.set(relative(ROOT, f), importsOf(f).filter((t) => /\.tsx?$/.test(t)));
  }
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of graph.get(n) ?? []) {
      if (!graph.has(d)) continue;
      if (state.get(d) === 'open') found.push([...stack.slice(stack.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of [...graph.keys()].sort()) if (!state.has(n)) visit(n);
  return found;
}


describe('architecture', () => {
  it('domain imports nothing of ours outside the domain', () => {
    expect(violations('src/domain', (t) => t.startsWith('src/domain/'))).toEqual([]);
  });

  it('use cases see only the domain (and each other)', () => {
    expect(violations('src/use-cases', (t) => t.startsWith('src/domain/') || t.startsWith('src/use-cases/'))).toEqual([]);
  });

  it('each sandbox imports only its own folder', () => {
    for (const p of ['kakaopay', 'naverpay']) {
      expect(violations(`src/simulators/${p}`, (t) => t.startsWith(`src/simulators/${p}/`))).toEqual([]);
    }
  });

  it('provider adapters import only the domain and their own folder', () => {
    for (const p of ['kakaopay', 'naverpay']) {
      expect(violations(`src/providers/${p}`, (t) => t.startsWith('src/domain/') || t.startsWith(`src/providers/${p}/`))).toEqual([]);
    }
  });

  it('providers import no use cases (their ports live in the domain)', () => {
    expect(violations('src/providers', (t) => !t.startsWith('src/use-cases/'))).toEqual([]);
  });

  it('the service never imports the local launcher (dev/)', () => {
    expect(violations('src', (t) => !t.startsWith('dev/'))).toEqual([]);
  });

  it('use cases contain no HTTP paths (the HTTP layer injects its URLs, ctx.checkoutUrls)', () => {
    const found = files(join(ROOT, 'src/use-cases'))
      .filter((f) => /['"`]\/api\//.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(found).toEqual([]);
  });

  it('one composition: no composition-*.ts beside src/composition.ts', () => {
    expect(readdirSync(join(ROOT, 'src')).filter((n) => /^composition-.*\.ts$/.test(n))).toEqual([]);
  });

  it('only http/build-app.ts registers route plugins', () => {
    const routeNames = new Set<string>();
    for (const f of files(join(ROOT, 'src/http/routes'))) {
      for (const m of readFileSync(f, 'utf8').matchAll(/export const (\w+Routes)\b/g)) routeNames.add(m[1]);
    }
    expect(routeNames.size).toBeGreaterThan(10);
    const callers: string[] = [];
    for (const f of [...files(join(ROOT, 'src')), ...files(join(ROOT, 'test')), ...files(join(ROOT, 'bench')), ...files(join(ROOT, 'dev'))]) {
      const rel = relative(ROOT, f);
      if (rel === 'src/http/build-app.ts') continue;
      const src = readFileSync(f, 'utf8');
      for (const name of routeNames) if (new RegExp(`\\.register\\(\\s*${name}\\b`).test(src)) callers.push(`${rel} registers ${name}`);
    }
    expect(callers).toEqual([]);
  });

  it('the web app imports only the API types (and the shared API constants) from src', () => {
    const shared = ['src/http/schemas/api-types.ts', 'src/http/schemas/api-constants.ts'];
    const schemaModule = (t: string) => /^src\/http\/schemas\/[a-z-]+-schemas\.ts$/.test(t);
    expect(violations('web/src', (t) => t.startsWith('web/') || shared.includes(t) || schemaModule(t))).toEqual([]);
  });

  it('the web app takes only types from the zod schema modules (no zod in the browser bundle)', () => {
    const valueImports: string[] = [];
    for (const f of files(join(ROOT, 'web/src'))) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/^(import|export)\s+(type\s+)?[^'";]*?from\s+['"](\.[^'"]+-schemas\.ts)['"]/gm)) {
        if (!m[2]) valueImports.push(`${relative(ROOT, f)} → ${m[3]}`);
      }
    }
    expect(valueImports).toEqual([]);
  });

  // Issue 16 point 1: one zod schema per message (src/http/schemas/*-schemas.ts) drives validation,
  // serialization, /docs and the web app's types. The lists of what has not moved yet only shrink.
  it('routes declare zod schemas: no hand JSON schema, docSchema or parsing by hand', () => {
    const notMovedYet: string[] = [];
    const handWritten = files(join(ROOT, 'src/http/routes'))
      .filter((f) => /docSchema\(|parseWith\(|type:\s*'object'/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f))
      .sort();
    expect(handWritten).toEqual(notMovedYet);
  });

  it('no hand-written API type module beyond those not moved yet', () => {
    const notMovedYet: string[] = [];
    const apiTypes = files(join(ROOT, 'src'))
      .filter((f) => /api-types[^/]*\.ts$/.test(f))
      .map((f) => relative(ROOT, f))
      .sort();
    expect(apiTypes).toEqual(notMovedYet);
  });
  it('src has no import cycles', () => {
    const found = cycles('src');
    expect(found.map((c) => c.join(' → '))).toEqual([]);
  });

  it('table types live only in the schema module (storage/schema.ts)', () => {
    const out: string[] = [];
    for (const f of files(join(ROOT, 'src'))) {
      const rel = relative(ROOT, f);
      if (rel === 'src/storage/schema.ts') continue;
      const src = readFileSync(f, 'utf8');
      if (!/from\s+['"]kysely['"]/.test(src)) continue;
      for (const m of src.matchAll(/(?:interface|type)\s+(\w+Tables?)\b|\.withTables\s*</g)) out.push(`${rel}: ${m[1] ?? 'withTables'}`);
    }
    expect(out).toEqual([]);
  });

  it('queries write the states they are about into the text (inText), not as parameters', () => {
    // A prepared statement's generic plan cannot use a partial index (`WHERE status = 'pending'`)
    // for `status = $1` (storage/repositories/in-text.ts, test/integration/generic-plans.test.ts).
    const out: string[] = [];
    for (const f of files(join(ROOT, 'src/storage'))) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/\b(?:where|eb)\(\s*'[\w.]+',\s*'(?:=|<>|!=|in|not in)',\s*(?:'[^']*'|\[\s*'|\[\.\.\.[A-Z_]+\])/g)) {
        out.push(`${relative(ROOT, f)}: ${m[0]}`);
      }
    }
    expect(out).toEqual([]);
  });

  it('every table a migration creates has its type in the schema module (Database)', () => {
    const dir = join(ROOT, 'src/storage/migrations');
    const created = new Set<string>();
    for (const name of readdirSync(dir)) {
      for (const m of readFileSync(join(dir, name), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/g)) created.add(m[1]!);
    }
    const schema = readFileSync(join(ROOT, 'src/storage/schema.ts'), 'utf8');
    const database = schema.slice(schema.indexOf('export interface Database {'));
    const typed = new Set([...database.slice(0, database.indexOf('\n}')).matchAll(/^\s+(\w+): \w+Table;/gm)].map((m) => m[1]!));
    expect([...created].filter((t) => !typed.has(t)).sort()).toEqual([]);
  });
});
