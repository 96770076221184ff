import { IllegalTransitionError } from './errors.ts';

/** A transition table: each state lists the states it may move to. */
export type TransitionTable<S extends string> = { readonly [K in S]: readonly S[] };

export function canTransition<S extends string>(table: TransitionTable<S>, from: S, to: S): boolean {
  return table[from].includes(to);
}

/** Throws `IllegalTransitionError` unless `from → to` is in the table. */
export function assertTransition<S extends string>(
  entity: string,
  table: TransitionTable<S>,
  id: string,
  from: S,
  to: S,
): void {
  if (!canTransition(table, from, to)) throw new IllegalTransitionError(entity, id, from, to);
}

/** States reachable from `start`; used by tests to prove no state is dead. */
export function reachableStates<S extends string>(table: TransitionTable<S>, start: S): Set<S> {
  const seen = new Set<S>([start]);
  const queue: S[] = [start];
  while (queue.length > 0) {
    for (const next of table[queue.shift()!]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}
