/**
 * Keeps a connection's publishes to one room in the order they arrived. Their
 * checks (capability, room rule, target reads) take different times and run
 * concurrently, so without this a later `pub` whose checks finish first would
 * be appended, and sequenced, before an earlier one: a client's own messages
 * would reach the room swapped. Each publish takes a turn on arrival and
 * appends only after every earlier one of the same connection and room has
 * been appended or refused; the log then sequences them in call order.
 *
 * Turns are counters, not a chain of promises: a publish with nothing before
 * it (every DM, and most publishes) gets an already settled `ready` and
 * allocates no promise, and a deep pipeline (a client with many publishes in
 * flight) costs one promise per waiting turn instead of four per turn
 * (docs/performance.md, "Embedded publish (issue 18)").
 */

/** One connection's publishes to one room. */
interface Lane {
  /** Turns handed out. */
  issued: number;
  /** Every turn below this one is done. */
  passed: number;
  /** Done turns at or above `passed` (a refused publish is done before its turn came). */
  early?: Set<number>;
  /** Turns waiting for `passed` to reach them: turn → resolve of its `ready`. */
  waiting?: Map<number, () => void>;
}

/** The `ready` of a turn with nothing before it. */
const NOW: Promise<void> = Promise.resolve();

/** Hands out turns per connection and room. */
export class ArrivalOrder {
  /** Per `session\0room`, while a publish of it waits for its turn or its append. */
  readonly #lanes = new Map<string, Lane>();

  /**
   * Takes the next turn for `room` on `session`. `ready` settles when the
   * earlier publishes have had theirs; call `done` once this one was handed
   * to the log or refused (calling it again is harmless).
   */
  enter(session: string, room: string): { ready: Promise<void>; done: () => void } {
    const key = `${session}\u0000${room}`;
    let lane = this.#lanes.get(key);
    if (!lane) {
      lane = { issued: 0, passed: 0 };
      this.#lanes.set(key, lane);
    }
    const turn = lane.issued++;
    const ready = turn === lane.passed ? NOW : this.#wait(lane, turn);
    let open = true;
    const done = (): void => {
      if (!open) return;
      open = false;
      this.#finish(key, lane, turn);
    };
    return { ready, done };
  }

  /** Rooms with a publish still waiting for its turn or its append (0 when idle; for tests). */
  get size(): number {
    return this.#lanes.size;
  }

  #wait(lane: Lane, turn: number): Promise<void> {
    const waiting = (lane.waiting ??= new Map());
    return new Promise<void>((resolve) => waiting.set(turn, resolve));
  }

  /** Marks `turn` done and moves `passed` over every contiguous done turn, waking each turn it reaches. */
  #finish(key: string, lane: Lane, turn: number): void {
    if (turn !== lane.passed) {
      (lane.early ??= new Set()).add(turn);
      return;
    }
    do {
      lane.passed++;
      this.#wake(lane, lane.passed);
    } while (lane.early?.delete(lane.passed));
    if (lane.passed === lane.issued) this.#lanes.delete(key);
  }

  #wake(lane: Lane, turn: number): void {
    const resolve = lane.waiting?.get(turn);
    if (!resolve) return;
    lane.waiting?.delete(turn);
    resolve();
  }
}
