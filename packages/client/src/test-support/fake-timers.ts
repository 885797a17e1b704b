// Manual clock and timers for pure unit tests: time moves only when the test says so.
import type { Timers } from "../timers.js";

interface Scheduled {
  id: number;
  at: number;
  fn: () => void;
}

export class FakeTimers implements Timers {
  #now = 0;
  #nextId = 1;
  #queue: Scheduled[] = [];

  now(): number {
    return this.#now;
  }

  setTimeout(fn: () => void, ms: number): number {
    const id = this.#nextId++;
    this.#queue.push({ id, at: this.#now + Math.max(0, ms), fn });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.#queue = this.#queue.filter((t) => t.id !== handle);
  }

  /** Number of timers waiting. */
  get pending(): number {
    return this.#queue.length;
  }

  /** Moves the clock forward, firing due timers in time order (including ones they schedule). */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      const next = this.#queue.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.#queue = this.#queue.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = target;
  }
}
