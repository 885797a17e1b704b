/** A state machine's whole diagram: the states each state may move to. */
export type Transitions<S extends string> = Readonly<Record<S, readonly S[]>>;

/** The error of a move the diagram does not allow. */
export class IllegalTransitionError extends Error {
  constructor(machine: string, from: string, to: string) {
    super(`parley: illegal ${machine} transition ${from} -> ${to}`);
    this.name = "IllegalTransitionError";
  }
}

/**
 * Throws unless `table` allows `from` → `to`. An illegal move is a gateway bug, never client
 * input, so it fails where it happens instead of leaving a session or subscription in a state
 * that its code does not expect.
 */
export function checkTransition<S extends string>(machine: string, table: Transitions<S>, from: S, to: S): void {
  if (!table[from].includes(to)) throw new IllegalTransitionError(machine, from, to);
}
