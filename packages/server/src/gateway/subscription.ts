import type { ErrorCode, RoomEvent } from "@parley/protocol";
import type { OutboundFrame } from "../transport/outbound-frame.js";
import type { ReplayPage } from "./replay-pages.js";

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
 * One connection's subscription to one room. It starts in catch-up mode,
 * where live events are buffered while history is replayed; `goLive` then
 * sends the buffered events not yet sent and switches to direct delivery.
 * `lastSent` makes delivery idempotent, so an event both replayed and
 * buffered goes out once.
 */
export class Subscription {
  /** Highest seq written to the connection. */
  lastSent = 0;
  /** Set by unsubscribe or close while a resume is still running; the resume then stops. */
  cancelled = false;
  private live = false;
  private pending: Array<{ seq: number; frame: OutboundFrame }> = [];
  private pendingBytes = 0;

  constructor(
    readonly room: string,
    readonly owner: SubscriptionOwner,
    private readonly maxPendingBytes: number,
  ) {}

  /** True once catch-up is over; ephemeral frames (typing, join) are only sent to live subscriptions. */
  get isLive(): boolean {
    return this.live;
  }

  /** A live event from the log, shared by every subscriber of the room. */
  onEvent(event: RoomEvent, frame: OutboundFrame): void {
    if (this.cancelled) return;
    if (!this.live) return this.buffer(event.seq, frame);
    if (event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.owner.sendFrame(frame);
  }

  /** Sends a replayed event (catch-up only). */
  replay(event: RoomEvent, frame: OutboundFrame): void {
    if (this.cancelled || event.seq <= this.lastSent) return;
    this.lastSent = event.seq;
    this.owner.sendReplay(frame);
  }

  /**
   * Sends a replayed page (catch-up only): as its one shared batch when none
   * of it was sent yet, which is the case in every resume, else event by event.
   */
  replayPage(page: ReplayPage): void {
    const { events, frames, batch } = page;
    if (this.cancelled || events.length === 0) return;
    if (batch && events[0]!.seq > this.lastSent) {
      this.lastSent = events[events.length - 1]!.seq;
      return this.owner.sendReplay(batch);
    }
    for (let i = 0; i < events.length; i++) this.replay(events[i]!, frames[i]!);
  }

  /** Flushes events buffered during catch-up that replay did not cover, then delivers directly. */
  goLive(): void {
    const pending = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.live = true;
    for (const item of pending) {
      if (this.cancelled) return;
      if (item.seq <= this.lastSent) continue;
      this.lastSent = item.seq;
      this.owner.sendFrame(item.frame);
    }
  }

  private buffer(seq: number, frame: OutboundFrame): void {
    this.pending.push({ seq, frame });
    this.pendingBytes += frame.size;
    if (this.pendingBytes > this.maxPendingBytes) this.owner.overflow();
  }
}
