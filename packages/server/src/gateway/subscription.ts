import type { ErrorCode, RoomEvent } from "@parley/protocol";
import type { OutboundFrame } from "../transport/outbound-frame.js";
import type { ReplayPage } from "./replay-pages.js";
import { checkTransition, type Transitions } from "./transitions.js";

/** What a subscription writes to: its connection's session. */
export interface SubscriptionOwner {
  /** Sends a shared frame; the owner cuts itself off if its buffer overflows. */
  sendFrame(frame: OutboundFrame): void;
  /**
   * Sends a replayed frame without the maxBufferedBytes check: the resume loop paces replay
   * itself (it waits below the pause mark before reading the next page), so the backlog is at
   * most one page, and a reader merely slower than loopback is not cut off by our own burst.
   */
  sendReplay(frame: OutboundFrame): void;
  /** Called when live events buffered during catch-up exceed the connection's limit. */
  overflow(): void;
  /** The connection's user. */
  readonly user: string;
  /** Ends `sub` from the server's side (the user lost access): stop delivery and tell the client why. */
  revoke(sub: Subscription, code: ErrorCode): void;
}

/**
 * A subscription's states.
 * - `resuming`: registered; live events are buffered while history is replayed.
 * - `live`: catch-up is over; events go out as they come.
 * - `ended`: unsubscribed, revoked, or its session closed; it sends nothing more (terminal).
 */
export type SubscriptionState = "resuming" | "live" | "ended";

/** The subscription's diagram; `Subscription.transition` is the one place it changes state. */
export const SUBSCRIPTION_TRANSITIONS: Transitions<SubscriptionState> = {
  resuming: ["live", "ended"],
  live: ["ended"],
  ended: [],
};

/**
 * One connection's subscription to one room. It starts `resuming`, where live
 * events are buffered while history is replayed; `goLive` then sends the
 * buffered events not yet sent and switches to direct delivery.
 * `lastSent` makes delivery idempotent, so an event both replayed and
 * buffered goes out once.
 */
export class Subscription {
  /** Highest seq written to the connection. */
  lastSent = 0;
  #state: SubscriptionState = "resuming";
  private pending: Array<{ seq: number; frame: OutboundFrame }> = [];
  private pendingBytes = 0;

  constructor(
    readonly room: string,
    readonly owner: SubscriptionOwner,
    private readonly maxPendingBytes: number,
  ) {}

  /** The current state; it changes only through `goLive` and `end`. */
  get state(): SubscriptionState {
    return this.#state;
  }

  /** True once catch-up is over; ephemeral frames (typing, join) are only sent to live subscriptions. */
  get isLive(): boolean {
    return this.#state === "live";
  }

  /** True once ended: a resume still running stops at its next step. */
  get ended(): boolean {
    return this.#state === "ended";
  }

  /** A live event from the log, shared by every subscriber of the room. */
  onEvent(event: RoomEvent, frame: OutboundFrame): void {
    if (this.#state === "resuming") return this.buffer(event.seq, frame);
    if (this.#state === "ended" || event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.owner.sendFrame(frame);
  }

  /** Sends a replayed event (catch-up only). */
  replay(event: RoomEvent, frame: OutboundFrame): void {
    if (this.ended || event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.owner.sendReplay(frame);
  }

  /**
   * Sends a replayed page (catch-up only): as its one shared batch when none
   * of it was sent yet, which is the case in every resume, else event by event.
   */
  replayPage(page: ReplayPage): void {
    const { events, frames, batch } = page;
    const first = events[0];
    const last = events[events.length - 1];
    if (this.ended || first === undefined || last === undefined) return;
    if (batch && first.seq > this.lastSent) {
      this.lastSent = last.seq;
      return this.owner.sendReplay(batch);
    }
    for (let i = 0; i < events.length; i++) {
      const event = events[i];
      const frame = frames[i];
      if (event && frame) this.replay(event, frame);
    }
  }

  /** Flushes events buffered during catch-up that replay did not cover, then delivers directly. */
  goLive(): void {
    this.transition("live");
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const item of pending) {
      if (this.ended) return;
      if (item.seq <= this.lastSent) continue;
      this.lastSent = item.seq;
      this.owner.sendFrame(item.frame);
    }
  }

  /** Stops delivery for good (unsubscribe, revocation, close); ending an ended subscription does nothing. */
  end(): void {
    if (this.ended) return;
    this.transition("ended");
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** The one place the state changes; throws on a move SUBSCRIPTION_TRANSITIONS does not allow. */
  private transition(next: SubscriptionState): void {
    checkTransition("subscription", SUBSCRIPTION_TRANSITIONS, this.#state, next);
    this.#state = next;
  }

  private buffer(seq: number, frame: OutboundFrame): void {
    this.pending.push({ seq, frame });
    this.pendingBytes += frame.size;
    if (this.pendingBytes > this.maxPendingBytes) this.owner.overflow();
  }
}
