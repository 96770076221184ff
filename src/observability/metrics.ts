import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BacklogFigures } from '../storage/repositories/operations-repository.ts';

/**
 * The Prometheus metrics of one process (server or worker), on a registry of its own (no
 * module-level registry: tests build several services in one process). Names and labels are
 * documented in docs/operations.md; alert rules in deploy/prometheus/alerts.yml use them.
 */
export interface Metrics {
  registry: Registry;
  /** Reads the database figures, then renders every metric in the text exposition format. */
  expose(): Promise<string>;
  httpRequests: Counter<'method' | 'route' | 'status_code'>;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
  providerCalls: Histogram<'provider' | 'operation' | 'outcome'>;
  payments: Counter<'provider' | 'operation' | 'outcome'>;
  workerTicks: Counter<'outcome'>;
  workerLastTick: Gauge;
}

export interface MetricsSources {
  /** Backlog figures read from the database at scrape time; omitted → no backlog gauges. */
  backlog?: () => Promise<BacklogFigures>;
  /** Newest worker heartbeat (any process), for `billing_worker_heartbeat_age_seconds`. */
  lastBeat?: () => Promise<Date | null>;
  /** Wall-clock ms (heartbeat age). */
  now: () => number;
  /** Which process this is: `server` or `worker` (a constant label on every metric). */
  role: 'server' | 'worker';
  /** Statements this process sent to the database so far (each one round trip). */
  dbStatements?: () => number;
  /** Add Node.js process metrics (CPU, memory, event loop lag). Default on. */
  processMetrics?: boolean;
}

/** Seconds. Covers fast API calls up to NaverPay's 60 s approve timeout. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

export function createMetrics(sources: MetricsSources): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ role: sources.role });
  if (sources.processMetrics ?? true) collectDefaultMetrics({ register: registry });

  // One database read per scrape (`expose`), shared by the gauges below.
  let latest: BacklogFigures | null = null;
  const backlog = async (): Promise<BacklogFigures | null> => latest;

  const metrics: Metrics = {
    registry,
    async expose() {
      latest = sources.backlog ? await sources.backlog().catch(() => null) : null;
      return registry.metrics();
    },
    httpRequests: new Counter({
      name: 'billing_http_requests_total',
      help: 'HTTP requests answered, by route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'billing_http_request_duration_seconds',
      help: 'HTTP request latency, by route pattern and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    providerCalls: new Histogram({
      name: 'billing_provider_call_duration_seconds',
      help: 'Calls to payment providers: latency by provider, operation and outcome (ok, declined, unavailable, timeout, request_error, config_error, error)',
      labelNames: ['provider', 'operation', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    payments: new Counter({
      name: 'billing_payments_total',
      help: 'Money-moving payment attempts by outcome (approved, declined, unknown, failed); operation is approve (checkout) or charge (billing key)',
      labelNames: ['provider', 'operation', 'outcome'],
      registers: [registry],
    }),
    workerTicks: new Counter({
      name: 'billing_worker_ticks_total',
      help: 'Renewal-worker ticks run by this process, by outcome (ok, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    workerLastTick: new Gauge({
      name: 'billing_worker_last_tick_timestamp_seconds',
      help: 'Unix time of the last completed worker tick in this process',
      registers: [registry],
    }),
  };

  if (sources.dbStatements) {
    const read = sources.dbStatements;
    new Counter({
      name: 'billing_db_statements_total',
      help: 'Statements sent to the database by this process (BEGIN and COMMIT included); each is one round trip',
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  }

  if (sources.backlog) {
    new Gauge({
      name: 'billing_unknown_payments',
      help: 'Payments whose outcome at the provider is unknown (awaiting sync), by provider',
      labelNames: ['provider'],
      registers: [registry],
      async collect() {
        const f = await backlog();
        this.reset();
        for (const p of f?.unknownPayments ?? []) this.set({ provider: p.provider }, p.count);
      },
    });
    new Gauge({
      name: 'billing_unknown_payment_oldest_age_seconds',
      help: 'Age of the oldest unknown-outcome payment, by provider',
      labelNames: ['provider'],
      registers: [registry],
      async collect() {
        const f = await backlog();
        this.reset();
        for (const p of f?.unknownPayments ?? []) this.set({ provider: p.provider }, p.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'billing_unsettled_refunds',
      help: 'Refunds requested or with an unknown outcome, not settled yet',
      registers: [registry],
      async collect() {
        const f = await backlog();
        if (f) this.set(f.unsettledRefunds.count);
      },
    });
    new Gauge({
      name: 'billing_renewal_lag_seconds',
      help: 'Renewal lag: how long the oldest due subscription step (charge, retry, notice, expiry) has waited; 0 when none is due',
      registers: [registry],
      async collect() {
        const f = await backlog();
        if (f) this.set(f.renewalLagSeconds);
      },
    });
    new Gauge({
      name: 'billing_renewals_due',
      help: 'Subscriptions with a renewal step due now',
      registers: [registry],
      async collect() {
        const f = await backlog();
        if (f) this.set(f.renewalsDue);
      },
    });
    new Gauge({
      name: 'billing_outbox_pending',
      help: 'Outbox backlog by queue: notices (e-mail) and billing_key_revocations',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const f = await backlog();
        for (const q of f?.outbox ?? []) this.set({ queue: q.queue }, q.pending);
      },
    });
    new Gauge({
      name: 'billing_outbox_oldest_age_seconds',
      help: 'How long the oldest due outbox item has waited, by queue; 0 when nothing is due',
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        const f = await backlog();
        for (const q of f?.outbox ?? []) this.set({ queue: q.queue }, q.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'billing_database_up',
      help: '1 when the last backlog read succeeded, else 0',
      registers: [registry],
      async collect() {
        this.set((await backlog()) ? 1 : 0);
      },
    });
  }
  if (sources.lastBeat) {
    const lastBeat = sources.lastBeat;
    new Gauge({
      name: 'billing_worker_heartbeat_age_seconds',
      help: 'Seconds since the newest heartbeat of any renewal worker (-1 when none is recorded)',
      registers: [registry],
      async collect() {
        const at = await lastBeat().catch(() => null);
        this.set(at ? Math.max(0, (sources.now() - at.getTime()) / 1000) : -1);
      },
    });
  }
  return metrics;
}
