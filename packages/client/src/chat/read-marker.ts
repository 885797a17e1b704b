import type { TimerHandle, Timers } from "../timers.js";

/** What a ReadMarker needs. */
export interface ReadMarkerOptions {
  /** Publishes a receipt for `upTo`; resolves on its ack, rejects when it is refused for good. */
  send(upTo: number): Promise<unknown>;
  timers: Timers;
  /** Least time between two receipts (default 1000 ms). */
  intervalMs?: number;
}

/**
 * A room's read position, sent as receipts: monotonic (never a receipt at or
 * below a position already read, here or on another device), coalesced (at
 * most one receipt in flight and one per interval; marks in between collapse
 * into the highest).
 */
export class ReadMarker {
  #read = 0;
  #wanted = 0;
  #inFlight = false;
  #lastSentAt = Number.NEGATIVE_INFINITY;
  #timer: TimerHandle | undefined;

  constructor(private readonly options: ReadMarkerOptions) {}

  /** The highest position known read (acked here, or reported by the server / another device). */
  get position(): number {
    return this.#read;
  }

  /** The user has seen everything up to `seq`. */
  mark(seq: number): void {
    if (seq <= Math.max(this.#read, this.#wanted)) return;
    this.#wanted = seq;
    this.#schedule();
  }

  /** A position read elsewhere (the `unread` frame, a receipt from another device): never send at or below it. */
  known(seq: number): void {
    if (seq > this.#read) this.#read = seq;
  }

  /** Stops a scheduled send (what was marked but not sent is dropped). */
  dispose(): void {
    if (this.#timer !== undefined) this.options.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #schedule(): void {
    if (this.#inFlight || this.#timer !== undefined || this.#wanted <= this.#read) return;
    const { timers, intervalMs = 1000 } = this.options;
    const wait = this.#lastSentAt + intervalMs - timers.now();
    if (wait <= 0) return this.#send();
    this.#timer = timers.setTimeout(() => {
      this.#timer = undefined;
      this.#schedule();
    }, wait);
  }

  #send(): void {
    const upTo = this.#wanted;
    this.#inFlight = true;
    this.#lastSentAt = this.options.timers.now();
    this.options
      .send(upTo)
      .then(
        () => this.known(upTo),
        () => {
          if (this.#wanted === upTo) this.#wanted = this.#read; // refused: do not send it again
        },
      )
      .finally(() => {
        this.#inFlight = false;
        this.#schedule();
      });
  }
}
