/**
 * The store reads of the inbox (docs/protocol.md, "Inbox"): a user's rooms with their chat counts
 * for the snapshot, and one room's entry when it enters the inbox or a receipt needs an exact
 * recount. Live changes are counted by the gateway (gateway/inbox.ts) without the store.
 */
import { capsAllow } from "./access.js";
import { dmUsers, type InboxRoom, type UnreadRoom } from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import type { Room, Store } from "../store/store.js";

/** The inbox's reads over one node's store. */
export class InboxRooms {
  constructor(private readonly store: Store) {}

  /**
   * The rooms `GET /v1/rooms` lists (the user's, that the token lets them subscribe to) with the
   * counts of `unread`, plus the user's DMs that exist only through their events. Ordered by id.
   */
  async snapshot(principal: Principal): Promise<InboxRoom[]> {
    const [rooms, counts] = await Promise.all([
      this.store.listRoomsOf(principal.user),
      this.store.unread(principal.user),
    ]);
    const byId = new Map(counts.map((c) => [c.room, c]));
    const entries = rooms.filter(isLive).map((room) => entryOf(room, byId.get(room.id)));
    const listed = new Set(rooms.map((r) => r.id));
    for (const c of counts) if (!listed.has(c.room) && dmUsers(c.room)) entries.push(entryOf(implicitDm(c.room), c));
    return entries.filter((e) => capsAllow(principal.caps, e.id, "subscribe")).sort(byRoomId);
  }

  /** One room's entry for the user, or undefined when it is no room of theirs (or the token may not open it). */
  async entry(principal: Principal, id: string): Promise<InboxRoom | undefined> {
    if (!capsAllow(principal.caps, id, "subscribe")) return undefined;
    const [room, counts] = await Promise.all([this.store.getRoom(id), this.store.unread(principal.user, id)]);
    const c = counts.find((r) => r.room === id);
    if (room) return isLive(room) ? entryOf(room, c) : undefined;
    return dmUsers(id)?.includes(principal.user) ? entryOf(implicitDm(id), c) : undefined;
  }
}

/** A room an inbox may list: any but a deleted one (which has no members, so no inbox holds it). */
type LiveRoom = Pick<Room, "id" | "name"> & { readonly type: InboxRoom["type"] };

function isLive(room: Room): room is Room & LiveRoom {
  return room.type !== "deleted";
}

function entryOf(room: LiveRoom, c: UnreadRoom | undefined): InboxRoom {
  return {
    id: room.id,
    type: room.type,
    name: room.name,
    lastSeq: c?.lastSeq ?? 0,
    lastReadSeq: c?.lastRead ?? 0,
    unread: c?.unread ?? 0,
    mentions: c?.mentions ?? 0,
  };
}

/** A DM never opened through `POST /v1/dms`: its two users wrote to its canonical id. */
function implicitDm(id: string): LiveRoom {
  return { id, type: "dm", name: "" };
}

function byRoomId(a: InboxRoom, b: InboxRoom): number {
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}
