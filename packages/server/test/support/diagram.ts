import assert from "node:assert/strict";
import { IllegalTransitionError, checkTransition, type Transitions } from "#server/gateway/transitions.js";

/** Tries every pair of states: each move `table` lists passes `checkTransition`, every other one throws. */
export function assertEveryMove<S extends string>(machine: string, table: Transitions<S>): void {
  const names = Object.keys(table) as S[];
  for (const from of names)
    for (const to of names) {
      const move = () => checkTransition(machine, table, from, to);
      if (table[from].includes(to)) assert.doesNotThrow(move, `${from} -> ${to}`);
      else assert.throws(move, IllegalTransitionError, `${from} -> ${to}`);
    }
}
