import { createRequire } from 'node:module';
import type { perOperation } from './cpu-budget.ts';

/**
 * HTTP load with autocannon (its own HTTP/1.1 client: pre-built requests, little work per
 * request), so that the load generator takes less of the 2 cores the service needs. With
 * `overallRate` it is an open loop whose latencies are corrected for coordinated omission
 * (autocannon's default): a request that was due but waited for a connection counts from when
 * it was due.
 */
const autocannon = createRequire(import.meta.url)('autocannon') as (o: Record<string, unknown>) => Promise<{
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}>;

export interface CannonResult {
  rate: number;
  p50: number;
  p99: number;
  cpu?: ReturnType<typeof perOperation>;
}

export async function cannon(o: {
  url: string;
  paths: string[];
  headers: Record<string, string>;
  connections: number;
  /** Run for `seconds`, or send `amount` requests in all when given. */
  seconds: number;
  amount?: number;
  overallRate?: number;
}): Promise<CannonResult> {
  const r = await autocannon({
    url: o.url,
    connections: o.connections,
    ...(o.amount ? { amount: o.amount } : { duration: o.seconds }),
    headers: o.headers,
    requests: o.paths.map((path) => ({ method: 'GET', path })),
    ...(o.overallRate ? { overallRate: Math.round(o.overallRate) } : {}),
  });
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) throw new Error(`autocannon: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
  return { rate: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99 };
}
