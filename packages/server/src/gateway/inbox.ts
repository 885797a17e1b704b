/**
 * One connection's inbox (docs/protocol.md, "Inbox"): the user's rooms from a store snapshot, then
 * kept by the log events the hub offers it, in log order, one at a time (a step may read the store:
 * a room entering the inbox, a receipt that reads part of what the store counted). Counting a
 * message, a delete or a receipt to the end needs no store read (inbox-room.ts).
 */
import {
  dmUsers,
  isTombstone,
  mentionsOf,
  membershipOf,
  textOf,
  type InboxChange,
  type InboxRoom,
  type MembershipBody,
  type RoomEvent,
  type ServerFrame,
} from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import { capsAllow } from "../policy/access.js";
import type { InboxRooms } from "../policy/inbox-rooms.js";
import { InboxRoomCounts } from "./inbox-room.js";

/** What the inbox needs of its connection and its hub. */
export interface InboxOwner {
  readonly principal: Principal;
  /** Sends a frame to the connection (nothing once it closed). */
  reply(frame: ServerFrame): void;
  /** The room entered (true) or left (false) this inbox: the hub routes the room's events to it or stops. */
  follow(inbox: UserInbox, room: string, on: boolean): void;
  /** A step failed (a store read): logged; the inbox sends a fresh snapshot once the store answers again. */
  failed(err: unknown): void;
}

/** How long a receipt's recount waits for the store's projection to reach it (cluster: the sink's lag). */
const RECOUNT_TRIES = 20;
const RECOUNT_WAIT_MS = 100;
/** After a failed step, the first attempt to read a fresh snapshot, and the longest wait between attempts. */
const RESYNC_FIRST_MS = 500;
const RESYNC_MAX_MS = 30_000;

export class UserInbox {
  private readonly rooms = new Map<string, InboxRoomCounts>();
  /**
   * Events offered while a step reads the store (the snapshot, a room's entry, a recount), applied in
   * order once it is done; undefined while none runs, so the usual event is applied at once.
   */
  private waiting: RoomEvent[] | undefined;
  private open = true;
  /** The request id the snapshot answered (a resync's snapshot repeats it). */
  private id = 0;
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly owner: InboxOwner,
    private readonly reads: InboxRooms,
  ) {}

  get user(): string {
    return this.owner.principal.user;
  }

  /** Reads the snapshot and replies it as the answer to request `id`; events offered meanwhile follow it. */
  start(id: number): Promise<void> {
    this.id = id;
    const snapshot = this.snapshot();
    // Events wait behind it; the handler answers its failure.
    this.hold(snapshot.catch(() => this.close()));
    return snapshot;
  }

  /** Stops: later events are dropped. */
  close(): void {
    this.open = false;
    clearTimeout(this.resyncTimer);
    for (const id of this.rooms.keys()) this.owner.follow(this, id, false);
    this.rooms.clear();
  }

  /** A log event that may concern the user, applied after every earlier one. */
  offer(event: RoomEvent): void {
    // A room about to enter is followed now, not once its entry is read: the hub must offer this
    // inbox the room's next events, which queue behind the read.
    if (this.open && !this.rooms.has(event.room) && bringsIn(event, this.user))
      this.owner.follow(this, event.room, true);
    if (this.waiting) this.waiting.push(event);
    else this.run(event);
  }

  private run(event: RoomEvent): void {
    if (!this.open) return;
    try {
      const step = this.apply(event);
      if (step) this.hold(step.catch((err: unknown) => this.lost(err)));
    } catch (err) {
      this.lost(err);
    }
  }

  /** Reads the user's rooms and replaces the inbox with them, answering request `id` (again, on a resync). */
  private async snapshot(): Promise<void> {
    const rooms = await this.reads.snapshot(this.owner.principal);
    if (!this.open) return; // the connection closed meanwhile
    for (const id of this.rooms.keys()) this.owner.follow(this, id, false);
    this.rooms.clear();
    for (const room of rooms) this.enter(room);
    this.owner.reply({ t: "inbox", id: this.id, rooms });
  }

  /**
   * A step failed (a store read), so an event was not applied and the counts may be wrong: once the
   * store answers again, a fresh snapshot replaces them (docs/protocol.md: clients take a repeated
   * `inbox` reply as a new snapshot).
   */
  private lost(err: unknown, waitMs = RESYNC_FIRST_MS): void {
    this.owner.failed(err);
    if (this.resyncTimer || !this.open) return;
    this.resyncTimer = setTimeout(() => {
      this.resyncTimer = undefined;
      this.hold(this.snapshot().catch((again: unknown) => this.lost(again, Math.min(2 * waitMs, RESYNC_MAX_MS))));
    }, waitMs);
    this.resyncTimer.unref();
  }

  /** Holds the events offered until `step` settles, then applies them in order (behind any step they start). */
  private hold(step: Promise<void>): void {
    this.waiting ??= [];
    void step.then(() => {
      const queued = this.waiting ?? [];
      this.waiting = undefined;
      for (let i = 0; i < queued.length; i++) {
        this.run(queued[i] as RoomEvent);
        // A step started: the rest waits behind it (ahead of anything offered since).
        const held = this.holding();
        if (held) {
          held.unshift(...queued.slice(i + 1));
          return;
        }
      }
    });
  }

  /** The held events, read afresh (a `run` may start holding). */
  private holding(): RoomEvent[] | undefined {
    return this.waiting;
  }

  private apply(event: RoomEvent): Promise<void> | void {
    const known = this.rooms.get(event.room);
    if (known && event.seq <= known.lastSeq) return; // already in the snapshot or entry the store gave
    const change = membershipOf(event);
    if (change) return this.applyMembership(event, change, known);
    if (!known) return dmUsers(event.room)?.includes(this.user) ? this.load(event, "dm") : undefined;
    const before = known.lastSeq;
    known.advance(event.seq);
    if (event.kind === "receipt" && event.from === this.user) return this.read(known, event, before);
    if (event.kind === "delete") return this.deleted(known, event);
    if (event.from !== this.user && isChatMessage(event)) {
      if (known.message(event.seq, mentionsOf(event).includes(this.user))) this.push("activity", event, known);
    }
  }

  private applyMembership(
    event: RoomEvent,
    m: MembershipBody,
    known: InboxRoomCounts | undefined,
  ): Promise<void> | void {
    const mine = event.from === this.user;
    if (m.type === "member.joined" && m.user === this.user) return this.load(event, mine ? "joined" : "added");
    if (m.type === "member.left" && m.user === this.user) return this.leave(event, mine ? "left" : "removed");
    if (m.type === "room.deleted") return this.leave(event, "deleted");
    if ((m.type === "room.created" || m.type === "room.private") && m.members.includes(this.user)) {
      const change: InboxChange = dmUsers(event.room) ? "dm" : mine ? "created" : "added";
      if (event.seq !== 1) return this.load(event, change);
      const type = dmUsers(event.room) ? "dm" : m.type === "room.private" ? "private" : "public";
      if (!capsAllow(this.owner.principal.caps, event.room, "subscribe"))
        return this.owner.follow(this, event.room, false);
      const entry: InboxRoom = {
        id: event.room,
        type,
        name: m.name ?? "",
        lastSeq: 1,
        lastReadSeq: 0,
        unread: 0,
        mentions: 0,
      };
      return this.push(change, event, this.enter(entry));
    }
    if (!known) return;
    known.advance(event.seq);
    if (m.type === "room.renamed") {
      known.rename(m.name);
      this.push("renamed", event, known);
    }
  }

  /** The room entered the inbox after `event`: its entry from the store (the event's seq at least). */
  private async load(event: RoomEvent, change: InboxChange): Promise<void> {
    const entry = await this.reads.entry(this.owner.principal, event.room);
    if (!this.open) return;
    if (!entry) return this.rooms.has(event.room) ? undefined : this.owner.follow(this, event.room, false);
    this.push(change, event, this.enter({ ...entry, lastSeq: Math.max(entry.lastSeq, event.seq) }));
  }

  private leave(event: RoomEvent, change: "left" | "removed" | "deleted"): void {
    if (!this.rooms.delete(event.room)) return;
    this.owner.follow(this, event.room, false);
    this.owner.reply({ t: "inbox.gone", change, seq: event.seq, room: event.room });
  }

  private deleted(room: InboxRoomCounts, event: RoomEvent): void {
    const target = (event.body as { target?: unknown } | null)?.target;
    if (typeof target === "number" && room.deleted(target)) this.push("activity", event, room);
  }

  /** The user's own receipt (any device): exact at once when it reads to the end, else recounted by the store. */
  private async read(room: InboxRoomCounts, event: RoomEvent, before: number): Promise<void> {
    const upTo = (event.body as { upTo?: unknown } | null)?.upTo;
    if (typeof upTo !== "number" || upTo <= room.lastReadSeq) return;
    if (!room.read(upTo) && upTo < before) {
      const fresh = await this.recount(event.room, upTo);
      if (fresh) room.replace(fresh);
    }
    if (this.open) this.push("read", event, room);
  }

  /** The room's entry from the store once its projection holds the receipt (it lags the log in a cluster). */
  private async recount(room: string, upTo: number): Promise<InboxRoom | undefined> {
    for (let tries = 1; ; tries++) {
      const fresh = await this.reads.entry(this.owner.principal, room);
      if (!fresh || fresh.lastReadSeq >= upTo || tries >= RECOUNT_TRIES) return fresh;
      await new Promise((resolve) => setTimeout(resolve, RECOUNT_WAIT_MS));
    }
  }

  private enter(entry: InboxRoom): InboxRoomCounts {
    const room = new InboxRoomCounts(entry);
    this.rooms.set(entry.id, room);
    this.owner.follow(this, entry.id, true);
    return room;
  }

  private push(change: InboxChange, event: RoomEvent, room: InboxRoomCounts): void {
    this.owner.reply({ t: "inbox.room", change, seq: event.seq, room: room.view() });
  }
}

/** True when `event` may bring its room into `user`'s inbox: a membership change naming them, a DM of theirs. */
function bringsIn(event: RoomEvent, user: string): boolean {
  const m = membershipOf(event);
  if (m?.type === "member.joined") return m.user === user;
  if (m?.type === "room.created" || m?.type === "room.private") return m.members.includes(user);
  return m === undefined && (dmUsers(event.room)?.includes(user) ?? false);
}

/** A chat message (a `message` whose body has a `text`), not deleted. */
function isChatMessage(e: RoomEvent): boolean {
  return e.kind === "message" && textOf(e) !== undefined && !isTombstone(e.body);
}
