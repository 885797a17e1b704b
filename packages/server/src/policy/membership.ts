/**
 * The membership rules: who may create a room, open a DM, join, leave, add
 * others, and see a room's members or the room list. Any transport that
 * changes membership goes through here (today REST, `http/rest-rooms.ts`,
 * which only translates HTTP). Access changes are sequenced in the room as
 * `system` events (docs/chat.md, "Membership events"), so every gateway ends
 * the subscriptions they shut out in log order.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { ParleyError, dmRoomId, isDmId, membershipOf, type Json, type MembershipBody } from "@parley/protocol";
import type { Principal } from "../auth/principal.js";
import type { EventLog } from "../log/event-log.js";
import type { Member, Room, RoomType, Store } from "../store/store.js";
import { capsAllow, type RoomAccess } from "./access.js";

/** A room to create; without `id`, a fresh one is made up. */
export interface NewRoom {
  readonly id?: string | undefined;
  readonly type: Exclude<RoomType, "dm">;
  readonly name: string;
}

/** A room and whether this call created it. */
export interface OpenedRoom {
  readonly room: Room;
  readonly created: boolean;
}

/** What the rules read and change, given once at composition. */
export interface MembershipDeps {
  readonly log: Pick<EventLog, "head" | "append" | "readBefore">;
  readonly store: Store;
  readonly access: RoomAccess;
  /** Who the user directory lists: users sharing a room with the caller, or every member of any room. */
  readonly directory: "shared" | "everyone";
}

/** A room as the one asking sees it: what it is, and whether they are in it. */
export interface RoomView {
  readonly id: string;
  readonly type: RoomType;
  /** Empty for a DM and for an open room nobody created (it exists through its events). */
  readonly name: string;
  readonly createdBy: string | undefined;
  readonly member: boolean;
  /** Whether the caller may remove members and rename (its creator, or `delete_any` on it); never for a DM. */
  readonly moderator: boolean;
  /** True for an open room that has events but was never created. */
  readonly implicit: boolean;
}

/** The membership rules over one node's log and store. */
export class Membership {
  constructor(private readonly deps: MembershipDeps) {}

  /** The user's rooms that the token lets them subscribe to (a scoped token sees only its rooms, as `unread` does). */
  async roomsOf(principal: Principal): Promise<Room[]> {
    const rooms = await this.deps.store.listRoomsOf(principal.user);
    return rooms.filter((room) => capsAllow(principal.caps, room.id, "subscribe"));
  }

  /** Public rooms, newest first, that the token lets the user subscribe to. */
  async publicRooms(principal: Principal, limit: number): Promise<Room[]> {
    const rooms = await this.deps.store.listPublicRooms(limit);
    return rooms.filter((room) => capsAllow(principal.caps, room.id, "subscribe"));
  }

  /** A created room (DM rooms included), or ROOM_NOT_FOUND (for a deleted one too). */
  async room(id: string): Promise<Room> {
    const room = await this.deps.store.getRoom(id);
    if (!room || room.type === "deleted") throw new ParleyError("ROOM_NOT_FOUND", `no room ${id}`);
    return room;
  }

  /**
   * Creating a room needs the publish capability on its id, and an id nobody
   * has used: an implicit (open) room that already has events belongs to the
   * people in it, so claiming it (making it private, becoming the creator who
   * manages its webhooks) is ROOM_EXISTS, as for a created room.
   */
  async create(principal: Principal, input: NewRoom): Promise<Room> {
    const id = input.id ?? `r-${randomBytes(9).toString("base64url")}`;
    if (isDmId(id)) throw new ParleyError("BAD_REQUEST", "`dm:` ids are reserved; use POST /v1/dms");
    if (!capsAllow(principal.caps, id, "publish"))
      throw new ParleyError("FORBIDDEN", `your token does not allow room ${id}`);
    if ((await this.deps.log.head(id)).lastSeq > 0)
      throw new ParleyError("ROOM_EXISTS", `${id} is an open room already in use; choose another id`);
    const room = await this.deps.store.createRoom({
      id,
      type: input.type,
      name: input.name,
      createdBy: principal.user,
    });
    // Someone may be subscribed to the open room this id was: only the creator may read it now.
    const members = [principal.user];
    const type = room.type === "private" ? "room.private" : "room.created";
    await this.announce(id, principal.user, { type, members, name: room.name });
    return room;
  }

  /** Opens (creating on first use) the DM room between the caller and `other`. */
  async openDm(principal: Principal, other: string): Promise<OpenedRoom> {
    if (other === principal.user) throw new ParleyError("BAD_REQUEST", "a DM needs another user");
    const id = dmRoomId(principal.user, other);
    const existing = await this.deps.store.getRoom(id);
    if (existing) return { room: existing, created: false };
    let room: Room;
    try {
      room = await this.deps.store.createRoom({ id, type: "dm", name: "", createdBy: principal.user });
    } catch (err) {
      if (!(err instanceof ParleyError && err.code === "ROOM_EXISTS")) throw err;
      return { room: await this.room(id), created: false }; // a concurrent request created it first
    }
    await this.deps.store.addMember(id, other);
    // Seq 1 of the DM: both users' inboxes learn of it, on every gateway, before anything is said.
    await this.announce(id, principal.user, { type: "room.created", members: [principal.user, other], name: "" });
    return { room, created: true };
  }

  /** Joins a public room (or is a no-op for a member); private rooms and DMs need an invitation. */
  async join(principal: Principal, id: string): Promise<Room> {
    const room = await this.room(id);
    if (!capsAllow(principal.caps, room.id, "subscribe"))
      throw new ParleyError("FORBIDDEN", `your token does not allow ${room.id}`);
    if (room.type !== "public" && !(await this.deps.store.isMember(room.id, principal.user))) {
      throw new ParleyError("FORBIDDEN", `${room.id} is ${room.type}; a member must add you`);
    }
    await this.addAnnounced(room, principal.user, principal.user);
    return room;
  }

  /**
   * What a room is, for someone who may subscribe to it: ROOM_NOT_FOUND for an id that was never
   * created and has no events (a mistyped link; looking creates nothing), FORBIDDEN for a room
   * whose token or rule shuts the caller out.
   */
  async view(principal: Principal, id: string): Promise<RoomView> {
    const room = await this.deps.store.getRoom(id);
    if (room?.type === "deleted" || (!room && (await this.deps.log.head(id)).lastSeq === 0))
      throw new ParleyError("ROOM_NOT_FOUND", `no room ${id}`);
    const refused = await this.deps.access.refusal(principal, id, "subscribe");
    if (refused) throw new ParleyError(refused, `you may not open ${id}: it is ${room?.type ?? "closed"} to you`);
    const member = room ? await this.deps.store.isMember(id, principal.user) : false;
    if (!room) return { id, type: "public", name: "", createdBy: undefined, member, moderator: false, implicit: true };
    const moderator = room.type !== "dm" && this.moderates(principal, room);
    return { id, type: room.type, name: room.name, createdBy: room.createdBy, member, moderator, implicit: false };
  }

  /** Leaves a room; announced in it (member.left), and for a private room that shuts the user out. */
  leave(principal: Principal, id: string): Promise<Room> {
    return this.remove(principal, id, principal.user);
  }

  /**
   * Takes `user` out of a room: themself (leaving), or another member, which a moderator may do
   * (the room's creator, or a token with `delete_any` on it). DM membership is fixed. A removal is
   * announced in the room (member.left), so every gateway ends the subscriptions a private room now
   * refuses and updates the user's inboxes; a public room stays open to them (`open: true`).
   */
  async remove(principal: Principal, id: string, user: string): Promise<Room> {
    const room = await this.room(id);
    if (user !== principal.user) await this.requireModerator(principal, room, `remove others from ${room.id}`);
    await this.removeAnnounced(room, user, principal.user);
    return room;
  }

  /** Renames a created public or private room; its creator or a moderator may. */
  async rename(principal: Principal, id: string, name: string): Promise<Room> {
    const room = await this.room(id);
    await this.requireModerator(principal, room, `rename ${room.id}`);
    await this.deps.store.renameRoom(room.id, name);
    await this.announce(room.id, principal.user, { type: "room.renamed", name });
    return { ...room, name };
  }

  /**
   * The user directory: users sharing a room with the caller (the default), or every member of
   * any room when the operator opened it (`userDirectory: everyone`). A scoped token sees only the
   * members of the rooms it may subscribe to, so it learns nobody from rooms it cannot open.
   */
  async directory(principal: Principal, text: string | undefined, limit: number): Promise<string[]> {
    const { store } = this.deps;
    if (this.deps.directory === "everyone") return store.listUsers({ text, limit });
    const rooms = await store.listRoomsOf(principal.user);
    const open = rooms.filter((room) => capsAllow(principal.caps, room.id, "subscribe"));
    if (open.length === rooms.length) return store.listUsers({ sharingWith: principal.user, text, limit });
    const needle = (text ?? "").toLowerCase();
    const users = new Set<string>();
    for (const room of open)
      for (const m of await store.listMembers(room.id)) if (m.user.toLowerCase().includes(needle)) users.add(m.user);
    return [...users].sort().slice(0, limit);
  }

  /** A room's members, for those who may subscribe to it. */
  async members(principal: Principal, id: string): Promise<Member[]> {
    const room = await this.room(id);
    await this.deps.access.require(principal, room.id, "subscribe", `you may not see the members of ${room.id}`);
    return this.deps.store.listMembers(room.id);
  }

  /** Members may add others to public and private rooms; DM membership is fixed. */
  async add(principal: Principal, id: string, user: string): Promise<Room> {
    const room = await this.room(id);
    if (room.type === "dm") throw new ParleyError("FORBIDDEN", "DM membership cannot change");
    if (!(await this.deps.store.isMember(room.id, principal.user)))
      throw new ParleyError("FORBIDDEN", `only members of ${room.id} may add others`);
    await this.addAnnounced(room, user, principal.user);
    return room;
  }

  /**
   * The server API's changes: a backend, trusted by its key, acts as `by` (docs/server-api.md). No
   * membership or moderator rule applies to `by`; the room's own shape still does (a DM's members are
   * fixed, a deleted room is gone). Every change is announced in the room as any other.
   */
  async addAsServer(id: string, user: string, by: string): Promise<Room> {
    const room = await this.room(id);
    if (room.type === "dm") throw new ParleyError("FORBIDDEN", "DM membership cannot change");
    await this.addAnnounced(room, user, by);
    return room;
  }

  /** Takes `user` out of a public or private room on a backend's behalf (announced from `by`). */
  async removeAsServer(id: string, user: string, by: string): Promise<Room> {
    const room = await this.room(id);
    if (room.type === "dm") throw new ParleyError("FORBIDDEN", "DM membership cannot change");
    await this.removeAnnounced(room, user, by);
    return room;
  }

  /**
   * Deletes a public or private room (docs/chat.md, "Deleting a room"): stored as deleted with no
   * members, then announced (`room.deleted`), so every gateway ends every subscription to it and drops
   * it from every inbox. Its events stay in the log, readable by nobody; the id is never reused.
   * Repeating the call for a deleted room announces it only when the room's last event is not its
   * announcement yet (nobody may write to a deleted room, so nothing else can follow it): a retry
   * after a failed announcement completes the deletion, a plain repeat writes nothing.
   */
  async deleteRoom(id: string, by: string): Promise<void> {
    const room = await this.deps.store.getRoom(id);
    if (!room) throw new ParleyError("ROOM_NOT_FOUND", `no room ${id}`);
    if (room.type === "dm") throw new ParleyError("FORBIDDEN", "a DM cannot be deleted");
    await this.deps.store.deleteRoom(id);
    const { lastSeq } = await this.deps.log.head(id);
    const [last] = lastSeq > 0 ? await this.deps.log.readBefore(id, lastSeq + 1, 1) : [];
    if (last && membershipOf(last)?.type === "room.deleted") return;
    await this.announce(id, by, { type: "room.deleted" });
  }

  /** Removes `user` and, when they were a member, announces it (member.left, from `by`); undone if that fails. */
  private async removeAnnounced(room: Room, user: string, by: string): Promise<void> {
    const { store } = this.deps;
    // A non-member's removal changes nothing to announce.
    if (!(await store.removeMember(room.id, user))) return;
    const body: MembershipBody =
      room.type === "private" ? { type: "member.left", user } : { type: "member.left", user, open: true };
    await this.announceOrUndo(room.id, by, body, () => store.addMember(room.id, user));
  }

  /**
   * Adds `user` and, when they were no member yet, announces it (member.joined, from `by`) so their
   * inboxes on every gateway learn of the room.
   */
  private async addAnnounced(room: Room, user: string, by: string): Promise<void> {
    const { store } = this.deps;
    if (await store.isMember(room.id, user)) return;
    await store.addMember(room.id, user);
    await this.announceOrUndo(room.id, by, { type: "member.joined", user }, () => store.removeMember(room.id, user));
  }

  /**
   * Announces a membership change already stored; if it cannot be sequenced, `undo` takes the change
   * back (not announced, not changed) and the request fails, so its retry changes and announces again.
   */
  private async announceOrUndo(room: string, by: string, body: MembershipBody, undo: () => Promise<unknown>) {
    try {
      await this.announce(room, by, body);
    } catch (err) {
      await undo().catch(() => undefined);
      throw err;
    }
  }

  /** Throws FORBIDDEN unless the caller moderates `room`: its creator, or `delete_any` on it; never in a DM. */
  private async requireModerator(principal: Principal, room: Room, what: string): Promise<void> {
    if (room.type === "dm") throw new ParleyError("FORBIDDEN", "DM membership and names cannot change");
    await this.deps.access.require(principal, room.id, "subscribe", `you may not ${what}`);
    if (this.moderates(principal, room)) return;
    throw new ParleyError("FORBIDDEN", `only the creator of ${room.id} or a user with delete_any may ${what}`);
  }

  /** The room's creator, or a token with `delete_any` on it (the moderator capability). */
  private moderates(principal: Principal, room: Room): boolean {
    return room.createdBy === principal.user || capsAllow(principal.caps, room.id, "delete_any");
  }

  /**
   * Sequences a membership change in the room. Every gateway reads every event, so each ends its
   * own subscriptions of the users the change shuts out, and updates its inboxes, whichever gateway
   * this request came to.
   * A failure fails the request (a created room stays, and a subscription its id had as an open
   * room runs on until its client subscribes again).
   */
  private async announce(room: string, from: string, body: MembershipBody): Promise<void> {
    await this.deps.log.append({ room, cmid: `access-${randomUUID()}`, from, kind: "system", body: body as Json });
  }
}
