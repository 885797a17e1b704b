import type { RoomEvent, SubscribedFrame } from "@parley/protocol";

/**
 * A room subscription's own state, independent of the connection's.
 * - `unsubscribed`: not wanted, refused, or ended; the position is kept for a later resume.
 * - `subscribing`: a `sub` is (or will be, once connected) on its way.
 * - `subscribed`: the server answered `subscribed`; events flow.
 */
export type SubscriptionState = "unsubscribed" | "subscribing" | "subscribed";

/**
 * The tracker's diagram. Entering the current state again is a no-op, as in
 * connection-state.ts: a `sub` is re-sent while subscribing (retry, reconnect),
 * and a late second `subscribed` can answer a `sub` sent before an unsubscribe.
 */
const TRANSITIONS: Readonly<Record<SubscriptionState, readonly SubscriptionState[]>> = {
  unsubscribed: ["subscribing"],
  subscribing: ["subscribed", "unsubscribed"],
  subscribed: ["subscribing", "unsubscribed"],
};

/** What to do with an incoming event. */
export type EventVerdict =
  /** Next in sequence: deliver it (lastSeq has advanced). */
  | "deliver"
  /** Already seen (seq ≤ lastSeq), e.g. replayed after a resume: drop it. */
  | "duplicate"
  /** seq > lastSeq + 1: something is missing; resubscribe from lastSeq. */
  | "gap"
  /** Not subscribed (or the stream position is unknown): drop it. */
  | "ignored";

/** The position a `sub` frame should resume from. */
export interface ResumePosition {
  since?: number;
  epoch?: string;
}

/** What the app learns when a (re)subscription completes. */
export interface SubscribedInfo {
  room: string;
  epoch: string;
  /** The client's position after adopting the server's answer. */
  lastSeq: number;
  /** The room's latest seq when the subscription began. */
  headSeq: number;
  /** False when the server could not resume exactly from our position: events may be missing. */
  recovered: boolean;
  /** True when this subscription tried to resume from a known position. */
  resumed: boolean;
  /** True when the room's epoch differs from the one we held (store wiped or recreated). */
  epochChanged: boolean;
}

/**
 * Per-room stream position and dedupe. Pure logic, no I/O: the room feeds it
 * frames and acts on its verdicts.
 */
export class SubscriptionTracker {
  #state: SubscriptionState = "unsubscribed";
  #lastSeq: number | undefined;
  #epoch: string | undefined;
  #requested: ResumePosition = {};
  /** After an inexact resume: the next event, whatever its seq, becomes the new base. */
  #rebase = false;

  constructor(
    readonly room: string,
    since?: number,
    epoch?: string,
  ) {
    this.#lastSeq = since;
    this.#epoch = epoch;
  }

  /** The subscription state; it changes only through `begin`, `onSubscribed` and `reset`. */
  get state(): SubscriptionState {
    return this.#state;
  }

  /** The last seq delivered (or the starting point); undefined until known. */
  get lastSeq(): number | undefined {
    return this.#lastSeq;
  }

  /** The room epoch `lastSeq` belongs to; undefined until the first `subscribed`. */
  get epoch(): string | undefined {
    return this.#epoch;
  }

  /** Marks a `sub` as sent and returns the position it must carry. */
  begin(): ResumePosition {
    this.#transition("subscribing");
    this.#requested = {};
    if (this.#lastSeq !== undefined) this.#requested.since = this.#lastSeq;
    if (this.#epoch !== undefined) this.#requested.epoch = this.#epoch;
    return { ...this.#requested };
  }

  /**
   * Adopts the server's answer.
   * - Fresh subscription (no `since`): start at the server's head; live events follow.
   * - Exact resume: keep our position; the replay fills `since+1..head`.
   * - Inexact resume (epoch changed, store reset, retention trimmed): our
   *   position means nothing in the server's stream. The server replays what
   *   it still has, so rebase on the first event it sends and tell the app
   *   `recovered: false`; it may refetch history.
   */
  onSubscribed(frame: SubscribedFrame): SubscribedInfo {
    this.#transition("subscribed");
    const resumed = this.#requested.since !== undefined;
    const epochChanged = this.#epoch !== undefined && this.#epoch !== frame.epoch;
    const recovered = resumed ? frame.recovered && !epochChanged : true;
    this.#rebase = false;
    if (!resumed) this.#lastSeq = frame.lastSeq;
    else if (!recovered) {
      this.#lastSeq = 0;
      this.#rebase = true;
    }
    this.#epoch = frame.epoch;
    const lastSeq = this.#lastSeq ?? 0;
    return { room: this.room, epoch: frame.epoch, lastSeq, headSeq: frame.lastSeq, recovered, resumed, epochChanged };
  }

  /**
   * Classifies an event and advances the position when it is deliverable.
   * Events are also accepted while re-subscribing after a gap: the old
   * subscription may still deliver contiguous events, and dedupe drops their replay.
   */
  classify(event: Pick<RoomEvent, "seq">): EventVerdict {
    if (this.#state === "unsubscribed" || this.#lastSeq === undefined) return "ignored";
    if (this.#rebase && this.#state === "subscribed") {
      this.#rebase = false;
      this.#lastSeq = event.seq;
      return "deliver";
    }
    if (event.seq <= this.#lastSeq) return "duplicate";
    if (event.seq > this.#lastSeq + 1) return "gap";
    this.#lastSeq = event.seq;
    return "deliver";
  }

  /** The subscription ended (unsubscribe, refusal, or link loss); the position is kept for resume. */
  reset(): void {
    this.#transition("unsubscribed");
  }

  /** The one place the state changes; throws on a move TRANSITIONS does not allow (a client bug). */
  #transition(next: SubscriptionState): void {
    const from = this.#state;
    if (from === next) return;
    if (!TRANSITIONS[from].includes(next)) {
      throw new Error(`parley: illegal subscription transition ${from} -> ${next} (room ${this.room})`);
    }
    this.#state = next;
  }
}
