import { readdirSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/**
 * Where a run's CPU goes, per process, from Linux's /proc (clock ticks of 10 ms; runs of
 * thousands of operations make that fine enough). A bench on a 2-core machine is bounded by
 * the CPU that all its processes spend per operation: the limit's loop (load generator +
 * sandbox) and ours (load generator + sandbox + service + PostgreSQL) share the same cores, so
 * the best ratio the machine allows is the limit's CPU per operation over ours, whatever the
 * service does while it waits.
 */
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** User + system CPU of one process, in ms (0 when it is gone or /proc is missing). */
export function processCpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start after the last ')'.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * CPU of PostgreSQL server processes, in ms: the given ones (the backends of the bench's database
 * and the server's own background processes, see `postgresPids`), or every one on the machine.
 */
export function postgresCpuMs(only?: number[]): number {
  if (only) return only.reduce((t, pid) => t + processCpuMs(pid), 0);
  let total = 0;
  let dirs: string[] = [];
  try {
    dirs = readdirSync('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return 0;
  }
  for (const d of dirs) {
    try {
      if (readFileSync(`/proc/${d}/comm`, 'utf8').trim() === 'postgres') total += processCpuMs(Number(d));
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/** Busy and total CPU of the whole machine (all cores) in ms, from /proc/stat. */
export function machineCpuMs(): { busy: number; total: number } {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuSample {
  client: number;
  sandbox: number;
  service: number;
  postgres: number;
  machineBusy: number;
  machineTotal: number;
  /** CPU ms of each sampled PostgreSQL process (a backend that appears later started at 0). */
  postgresByPid?: Map<number, number>;
}

/**
 * The PostgreSQL processes that work for the bench's database: its backends and the server's
 * background processes (WAL writer, checkpointer, …), leaving out other databases' backends
 * (other test runs on a shared machine). `query` runs SQL on any database of the server.
 */
export async function postgresPids(query: (sql: string, params: unknown[]) => Promise<{ rows: { pid: number }[] }>, database: string): Promise<number[]> {
  const r = await query(`SELECT pid FROM pg_stat_activity WHERE datname = $1 OR backend_type <> 'client backend'`, [database]);
  return r.rows.map((x) => Number(x.pid));
}

/** A sample of the bench's processes: this load generator, the sandbox, the service and PostgreSQL. */
export function sampleCpu(pids: { sandbox?: number; service?: number | number[]; postgres?: number[] }): CpuSample {
  const u = process.cpuUsage();
  const m = machineCpuMs();
  const byPid = pids.postgres ? new Map(pids.postgres.map((pid) => [pid, processCpuMs(pid)])) : undefined;
  return {
    client: (u.user + u.system) / 1000,
    sandbox: processCpuMs(pids.sandbox),
    service: [pids.service ?? []].flat().reduce((t, pid) => t + processCpuMs(pid), 0),
    postgres: byPid ? [...byPid.values()].reduce((a, b) => a + b, 0) : postgresCpuMs(),
    machineBusy: m.busy,
    machineTotal: m.total,
    postgresByPid: byPid,
  };
}

const TOTALS = ['client', 'sandbox', 'service', 'postgres', 'machineBusy', 'machineTotal'] as const;

/** The sum of two spans' CPU (the per-process map is not kept). */
export function addCpu(a: CpuSample, b: CpuSample): CpuSample {
  return Object.fromEntries(TOTALS.map((k) => [k, a[k] + b[k]])) as unknown as CpuSample;
}

export function diffCpu(after: CpuSample, before: CpuSample): CpuSample {
  // Per process when both samples name them: a backend started between the two counts from 0.
  const postgres =
    after.postgresByPid && before.postgresByPid
      ? [...after.postgresByPid].reduce((t, [pid, ms]) => t + ms - (before.postgresByPid!.get(pid) ?? 0), 0)
      : after.postgres - before.postgres;
  return {
    client: after.client - before.client,
    sandbox: after.sandbox - before.sandbox,
    service: after.service - before.service,
    postgres,
    machineBusy: after.machineBusy - before.machineBusy,
    machineTotal: after.machineTotal - before.machineTotal,
  };
}

export const ZERO_CPU: CpuSample = { client: 0, sandbox: 0, service: 0, postgres: 0, machineBusy: 0, machineTotal: 0 };

/** ms of CPU per operation of the bench's own processes, and how busy the machine was (0–1). */
export function perOperation(cpu: CpuSample, ops: number) {
  const per = (ms: number) => Math.round((ms / Math.max(1, ops)) * 100) / 100;
  const ours = cpu.client + cpu.sandbox + cpu.service + cpu.postgres;
  return {
    total: per(ours),
    client: per(cpu.client),
    sandbox: per(cpu.sandbox),
    service: per(cpu.service),
    postgres: per(cpu.postgres),
    machineBusy: cpu.machineTotal > 0 ? Math.round((cpu.machineBusy / cpu.machineTotal) * 100) / 100 : NaN,
  };
}

export const CORES = cpus().length;
