import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { percentile } from './stats.ts';

/**
 * An open loop of GET requests at a fixed rate, for tail latency (issue 10: p99 at half the read
 * rate). It runs on its own thread with plain sockets, so that neither the bench's own work (its
 * pools, its arrays, its garbage collections) nor an HTTP client's per-request objects delay a
 * response's arrival: what it measures is, as far as this machine allows, the service's.
 *
 * Each call is due at `start + i / rate`; it is sent on the first free keep-alive connection
 * (it waits for one, if all are busy, and that wait counts), and its latency is counted from when
 * it was due to when the last byte of its answer arrived (a call this thread starts late counts
 * that delay too, so the figures are upper bounds). Responses must be 200 with a Content-Length
 * (no chunked answers, no pipelining); a lost connection ends the loop with an error.
 */
export interface PacedGetOptions {
  url: string;
  /** Paths requested in turn. */
  paths: string[];
  headers: Record<string, string>;
  rate: number;
  seconds: number;
  connections: number;
}

export interface PacedGetResult {
  rate: number;
  p50: number;
  p99: number;
  /** How late this thread got to 1% of the calls when they were due (its own delay, not the wait for a free connection), ms. */
  lateP99: number;
}

/** Runs the loop on a worker thread and returns its figures. */
export function pacedGet(o: PacedGetOptions): Promise<PacedGetResult> {
  return new Promise((resolve, reject) => {
    // The thread loads this file through tsx's loader (a worker does not inherit the parent's).
    const load = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => (tsx.register(), import(${JSON.stringify(import.meta.url)})))`;
    const worker = new Worker(load, { eval: true, workerData: o });
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`paced-get worker exited with ${code}`)));
  });
}

async function run(o: PacedGetOptions): Promise<PacedGetResult> {
  const target = new URL(o.url);
  const head = Object.entries({ host: target.host, ...o.headers })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  const requests = o.paths.map((p) => Buffer.from(`GET ${p} HTTP/1.1\r\n${head}\r\n`));
  const total = Math.max(1, Math.round(o.rate * o.seconds));
  const latency = new Float64Array(total);
  const late = new Float64Array(total);
  let done = 0;
  let failed = '';

  interface Conn {
    socket: Socket;
    due: number;
    buffered: Buffer | null;
  }
  const conns: Conn[] = [];
  const idle: Conn[] = [];
  const waiting: number[] = []; // indexes of due calls not yet sent
  let waitingAt = 0;
  let next = 0; // the next call to become due
  let start = 0; // when call 0 is due: set once every connection is open
  let finish!: () => void;
  const finished = new Promise<void>((ok) => (finish = ok));
  const dueAt = (i: number) => start + (i * 1000) / o.rate;

  /** A connection failed or closed before the loop ended: the loop ends with that error. */
  function lost(why: string) {
    if (done === total) return;
    failed ||= why;
    done = total;
    finish();
  }
  function send(conn: Conn, i: number) {
    conn.due = i;
    conn.buffered = null;
    conn.socket.write(requests[i % requests.length]!);
  }
  function answered(conn: Conn) {
    const i = conn.due;
    latency[i] = performance.now() - dueAt(i);
    if (++done === total) finish();
    if (waitingAt < waiting.length) send(conn, waiting[waitingAt++]!);
    else idle.push(conn);
  }
  /** Whether `data` holds one whole response (status line, headers, Content-Length bytes of body). */
  function complete(data: Buffer): boolean {
    const end = data.indexOf('\r\n\r\n');
    if (end < 0) return false;
    const header = data.toString('latin1', 0, end);
    if (!header.startsWith('HTTP/1.1 200')) failed ||= header.split('\r\n')[0]!;
    const m = /\r\ncontent-length: *(\d+)/i.exec(header);
    if (!m) {
      failed ||= 'no content-length';
      return true;
    }
    return data.length >= end + 4 + Number(m[1]);
  }

  await Promise.all(
    Array.from(
      { length: o.connections },
      () =>
        new Promise<void>((ok, fail) => {
          const conn: Conn = { socket: connect(Number(target.port), target.hostname), due: -1, buffered: null };
          conns.push(conn);
          conn.socket.setNoDelay(true);
          let open = false;
          conn.socket.once('connect', () => ((open = true), idle.push(conn), ok()));
          conn.socket.on('error', (err) => (open ? lost(String(err)) : fail(err)));
          conn.socket.on('close', () => lost('connection closed'));
          conn.socket.on('data', (chunk: Buffer) => {
            const data = conn.buffered ? Buffer.concat([conn.buffered, chunk]) : chunk;
            if (complete(data)) answered(conn);
            else conn.buffered = data;
          });
        }),
    ),
  );

  // Sleeps shorter than a timer's 1 ms wait on a futex (Atomics.wait), so calls leave on time
  // rather than in 1 ms ticks; answers that arrive meanwhile are read right after (at most one
  // call interval late: the figures stay upper bounds).
  const nap = new Int32Array(new SharedArrayBuffer(4));
  function tick() {
    if (failed) return;
    const now = performance.now();
    while (next < total && dueAt(next) <= now) {
      late[next] = now - dueAt(next);
      const conn = idle.pop();
      if (conn) send(conn, next);
      else waiting.push(next);
      next++;
    }
    if (next === total) return;
    const wait = dueAt(next) - performance.now();
    if (wait > 2) setTimeout(tick, wait - 1.5);
    else {
      if (wait > 0) Atomics.wait(nap, 0, 0, Math.min(wait, 0.25));
      setImmediate(tick);
    }
  }
  start = performance.now() + 5;
  setTimeout(tick, 4);
  await finished;
  const elapsed = performance.now() - start;
  for (const c of conns) c.socket.destroy();
  if (failed) throw new Error(`paced-get: ${failed}`);
  latency.sort();
  late.sort();
  return { rate: (total * 1000) / elapsed, p50: percentile(latency, 50), p99: percentile(latency, 99), lateP99: percentile(late, 99) };
}

if (!isMainThread && workerData) {
  parentPort!.postMessage(await run(workerData as PacedGetOptions));
}
