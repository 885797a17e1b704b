import { encodeFrame, type RoomEvent } from "@parley/protocol";
import { OutboundFrame } from "../transport/outbound-frame.js";
import type { Subscription, SubscriptionOwner } from "./subscription.js";

/**
 * The room registry of one gateway: room → local subscriptions. Each log
 * event is encoded once and the same frame object goes to every subscriber.
 */
export class RoomHub {
  private readonly rooms = new Map<string, Set<Subscription>>();

  /** `onRoomCount` is told the number of rooms with subscribers whenever it changes. */
  constructor(private readonly onRoomCount: (rooms: number) => void = () => {}) {}

  add(sub: Subscription): void {
    let subs = this.rooms.get(sub.room);
    if (!subs) {
      this.rooms.set(sub.room, (subs = new Set()));
      this.onRoomCount(this.rooms.size);
    }
    subs.add(sub);
  }

  remove(sub: Subscription): void {
    const subs = this.rooms.get(sub.room);
    if (!subs?.delete(sub) || subs.size > 0) return;
    this.rooms.delete(sub.room);
    this.onRoomCount(this.rooms.size);
  }

  /** Delivers a log event to the room's subscribers; returns how many it was written to or buffered for. */
  publish(event: RoomEvent): number {
    const subs = this.rooms.get(event.room);
    if (!subs) return 0;
    const frame = new OutboundFrame(encodeFrame({ t: "event", ...event }));
    // Deleting from a Set during for-of is safe: a subscriber cut off mid-loop is simply skipped.
    for (const sub of subs) sub.onEvent(event, frame);
    return subs.size;
  }

  /** Sends an ephemeral frame to the room's live subscriptions, except those owned by `except`. */
  broadcast(room: string, frame: OutboundFrame, except?: SubscriptionOwner): void {
    const subs = this.rooms.get(room);
    if (!subs) return;
    for (const sub of subs) if (sub.isLive && sub.owner !== except) sub.owner.sendFrame(frame);
  }

  /** Number of rooms with at least one local subscription. */
  get roomCount(): number {
    return this.rooms.size;
  }

  /** Number of local subscriptions to `room`. */
  subscriberCount(room: string): number {
    return this.rooms.get(room)?.size ?? 0;
  }
}
