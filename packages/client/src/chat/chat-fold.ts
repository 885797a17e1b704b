import type { RoomEvent } from "@parley/protocol";
import { foldRoom, type RoomFold } from "./room-fold.js";

/**
 * Keeps a room's events as they arrive (live events, older pages, in any
 * order and with duplicates) and folds them on demand. Events that arrive
 * before their target stay here and apply once the target is added.
 */
export class ChatFold {
  readonly #events = new Map<number, RoomEvent>();
  #fold: RoomFold | undefined;

  constructor(private readonly me: string) {}

  /** Adds events (duplicates by seq are ignored); returns how many were new. */
  add(events: readonly RoomEvent[]): number {
    let added = 0;
    for (const e of events) {
      if (this.#events.has(e.seq)) continue;
      this.#events.set(e.seq, e);
      added++;
    }
    if (added > 0) this.#fold = undefined;
    return added;
  }

  /** Forgets everything (a new room epoch: the old seqs mean nothing). */
  clear(): void {
    this.#events.clear();
    this.#fold = undefined;
  }

  /** The current fold (cached until the next `add`). */
  get fold(): RoomFold {
    return (this.#fold ??= foldRoom([...this.#events.values()], this.me));
  }
}
