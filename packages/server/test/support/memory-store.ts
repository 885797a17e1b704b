import { ParleyError } from "@parley/protocol";
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import type { CreateRoomInput, Member, Room, Store, Thread, UserQuery } from "#server/store/store.js";

/** Rooms, then users, to T. */
type ByRoomAndUser<T> = Map<string, Map<string, T>>;

/**
 * An in-memory Store test double. It passes the Store contract for rooms,
 * members and read positions (test/store/memory-store.test.ts runs
 * `describeStoreContract` with `{ durable: false, chatReads: false }`).
 *
 * Not run on it: "everything written is there after reopening" (not durable)
 * and every ChatReads clause (chat-reads-contract.ts): it sees no events, so
 * it has no chat projections, and its chat reads reject rather than answer
 * empty, so no test passes on an answer no real store gives. Tests that read
 * unread, search, edits or threads use the embedded storage.
 */
export class MemoryStore implements Store {
  private readonly rooms = new Map<string, Room>();
  private readonly members: ByRoomAndUser<Omit<Member, "lastReadSeq">> = new Map();
  /** The one source of read positions, apart from membership, as in the real stores' `read_positions`. */
  private readonly readPositions: ByRoomAndUser<number> = new Map();

  async start(): Promise<void> {}

  async createRoom(input: CreateRoomInput): Promise<Room> {
    if (this.rooms.has(input.id)) throw new ParleyError("ROOM_EXISTS");
    const { id, type, name, createdBy } = input;
    const room: Room = { id, type, name, createdBy, createdAt: Date.now() };
    this.rooms.set(room.id, room);
    await this.addMember(room.id, input.createdBy);
    return room;
  }

  async getRoom(id: string): Promise<Room | undefined> {
    return this.rooms.get(id);
  }

  async listPublicRooms(limit: number): Promise<Room[]> {
    // Newest first; among rooms created in the same millisecond, the later created first.
    const publicRooms = [...this.rooms.values()].filter((r) => r.type === "public").reverse();
    return publicRooms.sort((a, b) => b.createdAt - a.createdAt).slice(0, Math.max(0, limit));
  }

  async listRoomsOf(user: string): Promise<Room[]> {
    const out: Room[] = [];
    for (const [id, members] of this.members) {
      const room = this.rooms.get(id);
      if (room && members.has(user)) out.push(room);
    }
    return out;
  }

  async addMember(room: string, user: string): Promise<void> {
    const members = entry(this.members, room);
    if (!members.has(user)) members.set(user, { room, user, joinedAt: Date.now() });
  }

  async removeMember(room: string, user: string): Promise<boolean> {
    return this.members.get(room)?.delete(user) ?? false;
  }

  async isMember(room: string, user: string): Promise<boolean> {
    return this.members.get(room)?.has(user) ?? false;
  }

  async listMembers(room: string): Promise<Member[]> {
    const positions = this.readPositions.get(room);
    return [...(this.members.get(room)?.values() ?? [])].map((m) => ({
      ...m,
      lastReadSeq: positions?.get(m.user) ?? 0,
    }));
  }

  async deleteRoom(id: string): Promise<boolean> {
    const room = this.rooms.get(id);
    if (room?.type !== "public" && room?.type !== "private") return false;
    this.rooms.set(id, { ...room, type: "deleted" });
    this.members.delete(id);
    return true;
  }

  async renameRoom(id: string, name: string): Promise<boolean> {
    const room = this.rooms.get(id);
    if (room) this.rooms.set(id, { ...room, name });
    return room !== undefined;
  }

  async listUsers(query: UserQuery): Promise<string[]> {
    const shared = (room: string) =>
      query.sharingWith === undefined || (this.members.get(room)?.has(query.sharingWith) ?? false);
    const text = (query.text ?? "").toLowerCase();
    const users = new Set<string>();
    for (const [room, members] of this.members)
      if (shared(room)) for (const user of members.keys()) if (user.toLowerCase().includes(text)) users.add(user);
    return [...users].sort().slice(0, Math.max(0, query.limit));
  }

  async setLastRead(room: string, user: string, seq: number): Promise<void> {
    const positions = entry(this.readPositions, room);
    positions.set(user, Math.max(positions.get(user) ?? 0, seq));
  }

  unread(): Promise<UnreadRoom[]> {
    return noChatReads("unread");
  }

  editsOf(): Promise<RoomEvent[]> {
    return noChatReads("editsOf");
  }

  thread(): Promise<Thread> {
    return noChatReads("thread");
  }

  search(): Promise<SearchHit[]> {
    return noChatReads("search");
  }

  async close(): Promise<void> {}
}

/** The inner map of `key`, created empty when missing. */
function entry<T>(outer: ByRoomAndUser<T>, key: string): Map<string, T> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}

function noChatReads(read: string): Promise<never> {
  return Promise.reject(new Error(`MemoryStore has no chat projections (${read}): use the embedded storage`));
}
