/**
 * Scripted behaviour queued through `POST /__sandbox/script`: the next matching request(s) of an
 * operation fail with a code, an HTTP status, and/or are delayed before or after processing.
 */
import { sleep } from './naverpay-clock.ts';
import { httpError, type WireResult } from './naverpay-envelope.ts';

export const SCRIPT_OPERATIONS = [
  'reserve',
  'approve',
  'cancel',
  'history',
  'recurrent_reserve',
  'recurrent_approve',
  'recurrent_pay_reserve',
  'recurrent_pay_approve',
  'recurrent_expire',
] as const;
export type ScriptOperation = (typeof SCRIPT_OPERATIONS)[number];

export interface ScriptMatch {
  paymentId?: string;
  recurrentId?: string;
  merchantPayKey?: string;
}

export interface Script {
  id: number;
  operation: ScriptOperation;
  code?: string;
  message?: string;
  httpStatus?: number;
  delayMs?: number;
  delay: 'before' | 'after';
  remaining: number;
  match: ScriptMatch;
}

export type ScriptInput = Omit<Script, 'id' | 'remaining' | 'delay'> & { count?: number; delay?: 'before' | 'after' };

export class ScriptQueue {
  #scripts: Script[] = [];
  #nextId = 1;

  add(input: ScriptInput): Script {
    const script: Script = {
      id: this.#nextId++,
      operation: input.operation,
      code: input.code,
      message: input.message,
      httpStatus: input.httpStatus,
      delayMs: input.delayMs,
      delay: input.delay ?? 'before',
      remaining: input.count ?? 1,
      match: input.match,
    };
    this.#scripts.push(script);
    return script;
  }

  list(): readonly Script[] {
    return this.#scripts;
  }

  clear(): void {
    this.#scripts = [];
  }

  /** Consumes one use of the first script for `operation` whose match fields all equal `values`. */
  take(operation: ScriptOperation, values: ScriptMatch): Script | undefined {
    if (this.#scripts.length === 0) return undefined;
    const index = this.#scripts.findIndex(
      (s) =>
        s.operation === operation &&
        (s.match.paymentId === undefined || s.match.paymentId === values.paymentId) &&
        (s.match.recurrentId === undefined || s.match.recurrentId === values.recurrentId) &&
        (s.match.merchantPayKey === undefined || s.match.merchantPayKey === values.merchantPayKey),
    );
    if (index < 0) return undefined;
    const script = this.#scripts[index]!;
    script.remaining -= 1;
    if (script.remaining <= 0) this.#scripts.splice(index, 1);
    return script;
  }
}

/**
 * Runs the part of a script that precedes processing: the `before` delay and a scripted HTTP
 * status. Returns a result when the request must stop here.
 */
export async function runScriptBefore(script: Script | undefined, extraDelayMs = 0): Promise<WireResult | undefined> {
  const before = script?.delay === 'before';
  await sleep((before ? (script.delayMs ?? 0) : 0) + extraDelayMs);
  if (before && script.httpStatus !== undefined) return httpError(script.httpStatus, script.code, script.message);
  return undefined;
}

/**
 * Attaches the `after` part of a script to a processed (committed) result: the response delay,
 * and a scripted HTTP status that replaces the response while the real outcome stays stored
 * for idempotent replay.
 */
export function withScriptAfter(result: WireResult, script: Script | undefined): WireResult {
  if (script?.delay !== 'after') return result;
  return {
    ...result,
    afterDelayMs: script.delayMs,
    responseOverride:
      script.httpStatus !== undefined ? httpError(script.httpStatus, script.code, script.message) : undefined,
  };
}

/** The scripted business code, when it applies (an `after` script with an HTTP status has none). */
export function scriptedCode(script: Script | undefined): string | undefined {
  if (!script || (script.delay === 'after' && script.httpStatus !== undefined)) return undefined;
  return script.code;
}
