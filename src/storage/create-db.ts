import { Kysely, PostgresDialect, sql, type Dialect } from 'kysely';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { mkdirSync } from 'node:fs';
import type { Database } from './schema.ts';
import { isStalePreparedPlan } from './database-errors.ts';
import { parseTimestamptz, TIMESTAMPTZ_OID } from './pg-timestamp.ts';

const INT8_OID = 20;

/** The one place where bigint and count(*) values become numbers. */
export function parseInt8(value: string | number | bigint): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw new RangeError(`int8 value beyond the safe integer range: ${value}`);
  return n;
}

const readInt8 = (v: string) => parseInt8(v);

/**
 * node-postgres' type parsers for the service's pools: bigint (int8) read as a number
 * (`parseInt8`), timestamptz by `parseTimestamptz` (the same dates, without regular expressions).
 */
export const PG_TYPES = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return readInt8;
    if (format !== 'binary' && oid === TIMESTAMPTZ_OID) return parseTimestamptz;
    return pg.types.getTypeParser(oid, format);
  }) as typeof pg.types.getTypeParser,
};

export type DbTarget =
  | {
      kind: 'postgres';
      url: string;
      poolSize?: number;
      searchPath?: string;
      applicationName?: string;
      /**
       * Named (server-side prepared) statements for the most used texts (see `preparedNames`); default
       * true. Turn off behind a proxy that pools connections per transaction.
       */
      preparedStatements?: boolean;
    }
  | { kind: 'pglite'; dataDir: string | null; loadDataDir?: Blob };

export interface DbHandle {
  db: Kysely<Database>;
  kind: DbTarget['kind'];
  /**
   * Statements sent to the database by this handle so far, BEGIN and COMMIT included: each is one
   * round trip (`billing_db_statements_total`; the bench divides it by checkouts).
   */
  statements(): number;
  /**
   * LISTENs on `channel` (PostgreSQL: on a connection of its own, reconnected every second while
   * lost; PGlite: its one session). `onState(false)` when the connection is lost (notifications
   * may have been missed), `onState(true)` when listening again. Resolves once listening, with a stop function.
   */
  listen(channel: string, onMessage: (payload: string) => void, onState: (listening: boolean) => void): Promise<() => Promise<void>>;
  /** NOTIFY `channel` with `payload` (its own transaction). */
  notify(channel: string, payload: string): Promise<void>;
  close(): Promise<void>;
}

export interface CreateDbOptions {
  /** Told about connections that failed outside a query (dropped while idle); default: ignored. */
  onConnectionError?: (err: Error) => void;
  /** Told the text of every statement sent (bench/checkout-statements.ts lists a checkout's). */
  onStatement?: (sql: string) => void;
}

/** How many distinct statement texts get a name: the server keeps each one per connection. */
const PREPARED_TEXTS_MAX = 500;
/** Of those, how many may be list-shaped: a batch's text changes with its length, and they must not crowd out the rest. */
const PREPARED_LIST_TEXTS_MAX = 100;

interface PreparedNames {
  /** The name `text` is sent under, or undefined (sent unnamed). */
  nameOf(text: string): string | undefined;
  /** Forgets every name: texts get new ones, which each connection prepares afresh. */
  renew(): void;
}

/**
 * A text with a list of parameters (`in ($1, $2, $3, $4, …)`, or several `VALUES` rows): batch
 * statements, whose text changes with the batch's length and whose planning is shared by the
 * whole batch anyway. Prepared, PostgreSQL may keep a generic plan for them made while a table
 * was small (a sequential scan of `payments` for 64 ids: 28 ms a call instead of 0.6 ms in the
 * renewal bench), so they run unnamed and are planned with their values each time.
 */
const LIST_SHAPED = / in \(\$\d+(?:, ?\$\d+){3,}\)|\), ?\(\$\d+/i;

/**
 * A plain multi-row insert (`INSERT INTO t (…) VALUES (…), (…)`, perhaps `ON CONFLICT …`): it
 * reads no table, so its plan (a scan of its VALUES) cannot go stale as tables grow. These are
 * prepared despite their list shape: parsing and planning a renewal batch's inserts of payments,
 * notices and the like took PostgreSQL ≈ 10 µs per renewal (pg_stat_statements, 2026-12-06).
 */
const PLAIN_INSERT = /^insert into "?\w+"? \([^()]*\) values \(/i;
const READS = /\b(select|from|join|returning)\b/i;

/**
 * Written first in a list-shaped statement's text by code that knows it reads no table but its
 * own VALUES and CTEs (its plan cannot go stale either): the statement is prepared.
 */
export const READS_NO_TABLE = '/* reads no table */ ';
const preparedDespiteList = (text: string) => text.startsWith(READS_NO_TABLE) || (PLAIN_INSERT.test(text) && !READS.test(text));

/**
 * Names for parameterized statement texts, so that node-postgres prepares each on a connection
 * once and later only binds and executes it: PostgreSQL then skips parsing and planning the
 * hot statements (the checkout's CTEs) each time, which on a small machine shares the CPU with
 * the service (half of PostgreSQL's CPU per checkout, docs/performance.md). The first `max`
 * distinct texts of a generation get a name, list-shaped ones excepted (but `preparedDespiteList`
 * ones, at most `maxLists` of them); later ones run unnamed, so the statements each connection
 * holds stay bounded.
 */
function preparedNames(max: number, maxLists: number): PreparedNames {
  let names = new Map<string, string>();
  let lists = 0;
  let generation = 0;
  return {
    nameOf(text) {
      const list = LIST_SHAPED.test(text);
      if (list && !preparedDespiteList(text)) return undefined;
      let name = names.get(text);
      if (name === undefined && names.size < max && (!list || lists < maxLists)) {
        name = `smts_${generation}_${names.size}`;
        names.set(text, name);
        if (list) lists++;
      }
      return name;
    },
    renew() {
      generation++;
      names = new Map();
      lists = 0;
    },
  };
}

export async function createDb(target: DbTarget, opts: CreateDbOptions = {}): Promise<DbHandle> {
  let dialect: Dialect;
  let listen: DbHandle['listen'];
  let statements = 0;
  // Counts at the driver's client, under Kysely: every query, transaction statements included.
  const counted = <C extends { query: (...args: any[]) => any }>(client: C): C => {
    const query = client.query.bind(client);
    const tell = opts.onStatement;
    client.query = ((...args: unknown[]) => {
      statements++;
      if (tell) tell(typeof args[0] === 'string' ? args[0] : String((args[0] as { text?: string })?.text ?? args[0]));
      return query(...args);
    }) as C['query'];
    return client;
  };
  if (target.kind === 'postgres') {
    const prepared = target.preparedStatements === false ? null : preparedNames(PREPARED_TEXTS_MAX, PREPARED_LIST_TEXTS_MAX);
    const pool = new pg.Pool({
      connectionString: target.url,
      max: target.poolSize ?? 10,
      ...(target.searchPath ? { options: `-c search_path=${target.searchPath}` } : {}),
      ...(target.applicationName ? { application_name: target.applicationName } : {}),
      types: PG_TYPES,
    });
    // A connection the server drops (restart, failover, pg_terminate_backend) emits 'error'. On an
    // idle client the pool re-emits it; on a client checked out between two queries nobody listens.
    // Unheard, either one would end the process. The pool discards broken clients by itself and
    // the query in flight fails (answered 503 DATABASE_UNAVAILABLE), so noting it is enough.
    const onError = opts.onConnectionError ?? (() => {});
    pool.on('error', (err) => onError(err));
    pool.on('connect', (client) => {
      client.on('error', () => {});
      counted(client);
      if (prepared) {
        // Kysely sends (text, values); with values, the text is sent under its name.
        const query = client.query.bind(client);
        client.query = ((...args: unknown[]) => {
          const [text, values] = args;
          if (args.length === 2 && typeof text === 'string' && Array.isArray(values) && values.length > 0) {
            const name = prepared.nameOf(text);
            if (name) {
              // The transaction status before the statement: 'I' = not in a transaction.
              const idle = client.getTransactionStatus() === 'I';
              return query({ name, text, values }).catch((err: unknown) => {
                if (!isStalePreparedPlan(err)) throw err;
                // Every connection's statements of this text may be stale: all texts get new names.
                prepared.renew();
                // Outside a transaction the statement did not run: send it again, prepared anew.
                // Inside one the transaction is aborted; it fails once and the next one works.
                if (!idle) throw err;
                const again = prepared.nameOf(text);
                return again ? query({ name: again, text, values }) : query(text, values);
              });
            }
          }
          return query(...(args as Parameters<typeof query>));
        }) as typeof client.query;
      }
    });
    dialect = new PostgresDialect({ pool });
    const clientConfig: pg.ClientConfig = {
      connectionString: target.url,
      ...(target.searchPath ? { options: `-c search_path=${target.searchPath}` } : {}),
      application_name: `${target.applicationName ?? 'billing'}-listen`,
    };
    listen = (channel, onMessage, onState) => listenOnPostgres(clientConfig, channel, onMessage, onState);
  } else {
    if (target.dataDir) mkdirSync(target.dataDir, { recursive: true });
    const client = await PGlite.create({
      ...(target.dataDir ? { dataDir: target.dataDir } : {}),
      ...(target.loadDataDir ? { loadDataDir: target.loadDataDir } : {}),
      parsers: { [INT8_OID]: (v: string) => parseInt8(v) },
    });
    dialect = new PGliteDialect(counted(client));
    // LISTEN goes through Kysely, which serializes the one session: never inside another's transaction.
    listen = async (channel, onMessage, onState) => {
      const off = client.onNotification((ch, payload) => {
        if (ch === channel) onMessage(payload);
      });
      await sql`LISTEN ${sql.id(channel)}`.execute(db);
      onState(true);
      return async () => {
        off();
        if (!client.closed) await sql`UNLISTEN ${sql.id(channel)}`.execute(db);
      };
    };
  }
  const db = new Kysely<Database>({ dialect });
  return {
    db,
    kind: target.kind,
    statements: () => statements,
    listen,
    notify: async (channel, payload) => {
      await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
    },
    // Kysely's destroy ends the pg pool or closes PGlite.
    close: () => db.destroy(),
  };
}

async function listenOnPostgres(
  config: pg.ClientConfig,
  channel: string,
  onMessage: (payload: string) => void,
  onState: (listening: boolean) => void,
): Promise<() => Promise<void>> {
  let closed = false;
  let current: pg.Client | null = null;
  let timer: NodeJS.Timeout | undefined;
  const connect = async () => {
    const c = new pg.Client(config);
    c.on('error', () => {});
    c.on('notification', (n) => {
      if (n.channel === channel) onMessage(n.payload ?? '');
    });
    c.on('end', () => {
      if (current !== c) return;
      current = null;
      onState(false);
      if (!closed) timer = setTimeout(retry, 1000);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
    } catch (err) {
      await c.end().catch(() => {});
      throw err;
    }
    if (closed) return void (await c.end());
    current = c;
    onState(true);
  };
  const retry = () =>
    void connect().catch(() => {
      if (!closed) timer = setTimeout(retry, 1000);
    });
  await connect();
  return async () => {
    closed = true;
    clearTimeout(timer);
    const c = current;
    current = null;
    await c?.end();
  };
}
