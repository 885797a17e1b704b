/**
 * Keeps a connection's publishes to one room in the order they arrived. Their
 * checks (capability, room rule, target reads) take different times and run
 * concurrently, so without this a later `pub` whose checks finish first would
 * be appended, and sequenced, before an earlier one: a client's own messages
 * would reach the room swapped. Each publish takes a turn on arrival and
 * appends only after every earlier one of the same connection and room has
 * been appended or refused; the log then sequences them in call order.
 */
export class ArrivalOrder {
  /** Per `session\0room`: settles when the latest publish that arrived has had its turn. */
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Takes the next turn for `room` on `session`. `ready` settles when the
   * earlier publishes have had theirs; call `done` once this one was handed
   * to the log or refused (calling it again is harmless).
   */
  enter(session: string, room: string): { ready: Promise<void>; done: () => void } {
    const key = `${session}\u0000${room}`;
    const ready = this.#tails.get(key) ?? Promise.resolve();
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    // The next publish waits for this one and, through it, for every one before it.
    const tail = Promise.all([ready, finished]).then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    this.#tails.set(key, tail);
    return { ready, done: finish };
  }

  /** Rooms with a publish still waiting for its turn or its append (0 when idle; for tests). */
  get size(): number {
    return this.#tails.size;
  }
}
