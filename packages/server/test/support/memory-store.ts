import { ParleyError } from "@parley/protocol";
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import type { CreateRoomInput, Member, Room, Store, Thread } from "#server/store/store.js";

/**
 * An in-memory Store test double following the Store contract for rooms and
 * members. Not durable. It sees no events, so its chat reads are empty: the
 * unit tests that use it do not read chat projections.
 */
export class MemoryStore implements Store {
  private readonly rooms = new Map<string, Room>();
  private readonly members = new Map<string, Map<string, Member>>();

  async start(): Promise<void> {}

  async createRoom(input: CreateRoomInput): Promise<Room> {
    if (this.rooms.has(input.id)) throw new ParleyError("ROOM_EXISTS");
    const room: Room = { ...input, createdAt: Date.now() };
    this.rooms.set(room.id, room);
    await this.addMember(room.id, input.createdBy);
    return room;
  }

  async getRoom(id: string): Promise<Room | undefined> {
    return this.rooms.get(id);
  }

  async listPublicRooms(limit: number): Promise<Room[]> {
    const publicRooms = [...this.rooms.values()].filter((r) => r.type === "public");
    return publicRooms.sort((a, b) => b.createdAt - a.createdAt).slice(0, limit);
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
    let members = this.members.get(room);
    if (!members) this.members.set(room, (members = new Map()));
    if (!members.has(user)) members.set(user, { room, user, joinedAt: Date.now(), lastReadSeq: 0 });
  }

  async removeMember(room: string, user: string): Promise<boolean> {
    return this.members.get(room)?.delete(user) ?? false;
  }

  async isMember(room: string, user: string): Promise<boolean> {
    return this.members.get(room)?.has(user) ?? false;
  }

  async listMembers(room: string): Promise<Member[]> {
    return [...(this.members.get(room)?.values() ?? [])];
  }

  async setLastRead(room: string, user: string, seq: number): Promise<void> {
    const member = this.members.get(room)?.get(user);
    if (member && seq > member.lastReadSeq) this.members.get(room)?.set(user, { ...member, lastReadSeq: seq });
  }

  async unread(): Promise<UnreadRoom[]> {
    return [];
  }

  async editsOf(): Promise<RoomEvent[]> {
    return [];
  }

  async thread(): Promise<Thread> {
    return { replies: [], count: 0, related: [], relatedHasMore: false };
  }

  async search(): Promise<SearchHit[]> {
    return [];
  }

  async close(): Promise<void> {}
}
