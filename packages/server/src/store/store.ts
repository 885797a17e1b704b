/** Room visibility. DMs are private rooms of exactly two members with a canonical id (see dmRoomId). */
export type RoomType = "public" | "private" | "dm";

export interface Room {
  readonly id: string;
  readonly type: RoomType;
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

export interface Member {
  readonly room: string;
  readonly user: string;
  readonly joinedAt: number;
  /** Last seq the user has read in this room (0 = none). */
  readonly lastReadSeq: number;
}

export interface CreateRoomInput {
  readonly id: string;
  readonly type: RoomType;
  readonly name: string;
  readonly createdBy: string;
}

/**
 * Rooms, memberships and read positions.
 *
 * Contract (every implementation passes `describeStoreContract`):
 * - `createRoom` is atomic and fails with ParleyError("ROOM_EXISTS") if the id
 *   is taken; the creator becomes a member.
 * - `addMember` and `removeMember` are idempotent.
 * - `setLastRead` never moves a read position backwards.
 * - Everything written has been committed when the promise resolves.
 */
export interface Store {
  start(): Promise<void>;
  createRoom(input: CreateRoomInput): Promise<Room>;
  getRoom(id: string): Promise<Room | undefined>;
  /** Public rooms, newest first, at most `limit`. */
  listPublicRooms(limit: number): Promise<Room[]>;
  /** Rooms the user is a member of. */
  listRoomsOf(user: string): Promise<Room[]>;
  addMember(room: string, user: string): Promise<void>;
  removeMember(room: string, user: string): Promise<void>;
  isMember(room: string, user: string): Promise<boolean>;
  listMembers(room: string): Promise<Member[]>;
  setLastRead(room: string, user: string, seq: number): Promise<void>;
  close(): Promise<void>;
}
