import type { KakaoPayErrorExtras } from './kakaopay-errors.ts';

export const SCRIPT_OPERATIONS = [
  'ready',
  'approve',
  'cancel',
  'order',
  'subscription',
  'inactive',
  'status',
] as const;

/** A wire operation, named as in `/__sandbox/script`. */
export type WireOperation = (typeof SCRIPT_OPERATIONS)[number];

/** Request fields a script can be restricted to. */
export interface ScriptMatch {
  tid?: string;
  sid?: string;
  partner_order_id?: string;
}

/** A queued sandbox behaviour for the next matching request(s) of one operation. */
export interface Script {
  id: number;
  operation: WireOperation;
  /** Fail with this code, without changing state. */
  errorCode: number | undefined;
  extras: KakaoPayErrorExtras | undefined;
  delayMs: number;
  /** `before`: wait, then process. `after`: process and commit, then wait before responding. */
  delay: 'before' | 'after';
  remaining: number;
  match: ScriptMatch | undefined;
}

export type ScriptInput = Omit<Script, 'id'>;

/** FIFO of scripts; the first one matching a request is consumed (count decremented). */
export class ScriptQueue {
  private scripts: Script[] = [];
  private nextId = 1;

  add(input: ScriptInput): Script {
    const script: Script = { ...input, id: this.nextId++ };
    this.scripts.push(script);
    return script;
  }

  /** Takes one use of the first script for `operation` whose match fields equal the request's. */
  consume(operation: WireOperation, request: ScriptMatch): Script | undefined {
    if (this.scripts.length === 0) return undefined;
    const index = this.scripts.findIndex((s) => s.operation === operation && matches(s.match, request));
    if (index < 0) return undefined;
    const script = this.scripts[index];
    script.remaining -= 1;
    if (script.remaining <= 0) this.scripts.splice(index, 1);
    return script;
  }

  list(): readonly Script[] {
    return this.scripts;
  }

  clear(): void {
    this.scripts = [];
  }
}

function matches(match: ScriptMatch | undefined, request: ScriptMatch): boolean {
  if (!match) return true;
  if (match.tid !== undefined && match.tid !== request.tid) return false;
  if (match.sid !== undefined && match.sid !== request.sid) return false;
  if (match.partner_order_id !== undefined && match.partner_order_id !== request.partner_order_id) return false;
  return true;
}
