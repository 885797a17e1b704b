import { encodeFrame, excludedBy, membershipOf, type ErrorCode, type RoomEvent } from "@parley/protocol";
import { OutboundFrame } from "../transport/outbound-frame.js";
import { ReplayPages, type PageReader, type ReplayPage } from "./replay-pages.js";
import type { Subscription, SubscriptionOwner } from "./subscription.js";

/** Resume pages are shared for this long (a reconnect storm's resumes of one room arrive within it). */
const REPLAY_TTL_MS = 2_000;
/** Most JSON bytes held by shared resume pages. */
const REPLAY_MAX_BYTES = 16 * 1024 * 1024;

/**
 * The room registry of one gateway: room → local subscriptions. Each log
 * event is encoded once and the same frame object goes to every subscriber.
 */
export class RoomHub {
  private readonly rooms = new Map<string, Set<Subscription>>();
  /** Per room with subscribers, what ends the log's interest in it (`follow`). */
  private readonly unfollow = new Map<string, () => void>();
  private readonly replays: ReplayPages;
  /**
   * Access changes seen so far (any room). A `sub` whose authorization was
   * read before one of them, and which was not in the hub yet to be ended by
   * it, checks again (subscribe.ts).
   */
  revocations = 0;

  /**
   * `read` is the event log's page read (resume pages are shared through it);
   * `onRoomCount` is told the number of rooms with subscribers whenever it changes;
   * `onMembershipChange` is told of a room whose membership or rule changed (to forget cached room rules);
   * `follow` is told of a room getting its first subscriber, and returns what to call when it has none
   * (the log's interest: EventLog.interest).
   */
  constructor(
    read: PageReader,
    private readonly onRoomCount: (rooms: number) => void = () => {},
    private readonly onMembershipChange: (room: string) => void = () => {},
    private readonly follow: (room: string) => () => void = () => () => {},
  ) {
    this.replays = new ReplayPages(read, { ttlMs: REPLAY_TTL_MS, maxBytes: REPLAY_MAX_BYTES });
  }

  add(sub: Subscription): void {
    let subs = this.rooms.get(sub.room);
    if (!subs) {
      this.rooms.set(sub.room, (subs = new Set()));
      this.unfollow.set(sub.room, this.follow(sub.room));
      this.onRoomCount(this.rooms.size);
    }
    subs.add(sub);
  }

  remove(sub: Subscription): void {
    const subs = this.rooms.get(sub.room);
    if (!subs?.delete(sub) || subs.size > 0) return;
    this.rooms.delete(sub.room);
    this.unfollow.get(sub.room)?.();
    this.unfollow.delete(sub.room);
    this.onRoomCount(this.rooms.size);
  }

  /**
   * Delivers a log event to the room's subscribers; returns how many it was written to or buffered for.
   * A membership change (a `system` event, see membershipOf) first tells `onMembershipChange`, so the
   * node's cached room rules hold it before anything sequenced after it is checked; an access change
   * (excludedBy) then ends the subscriptions of the users it shuts out, so nothing later reaches them.
   */
  publish(event: RoomEvent): number {
    this.replays.invalidate(event.room);
    const change = membershipOf(event);
    if (change) this.onMembershipChange(event.room);
    const excluded = excludedBy(event);
    if (excluded) this.revoke(event.room, excluded, change?.type === "room.deleted" ? "ROOM_NOT_FOUND" : "FORBIDDEN");
    const subs = this.rooms.get(event.room);
    if (!subs) return 0;
    const frame = new OutboundFrame(encodeFrame({ t: "event", ...event }));
    // Deleting from a Set during for-of is safe: a subscriber cut off mid-loop is simply skipped.
    for (const sub of subs) sub.onEvent(event, frame);
    return subs.size;
  }

  /** Ends the room's subscriptions of the users `excluded` picks (their owners tell their clients). */
  private revoke(room: string, excluded: (user: string) => boolean, code: ErrorCode): void {
    this.revocations++;
    for (const sub of [...(this.rooms.get(room) ?? [])]) {
      if (excluded(sub.owner.user)) sub.owner.revoke(sub, code);
    }
  }

  /** A resume page after `afterSeq`, read and encoded once for every subscriber resuming from there now. */
  replayPage(room: string, epoch: string, afterSeq: number, limit: number): Promise<ReplayPage> {
    return this.replays.get(room, epoch, afterSeq, limit);
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
