import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";

/**
 * Room visibility. DMs are private rooms of exactly two members with a canonical id (see dmRoomId).
 * `deleted`: a room the server API deleted (docs/chat.md, "Deleting a room"): the row stays so its id is
 * never reused, and its rule admits nobody.
 */
export type RoomType = "public" | "private" | "dm" | "deleted";

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

/** A thread: the replies to one message. */
export interface Thread {
  /** Replies with `afterSeq < seq`, ascending, at most the limit asked for (deleted ones as tombstones). */
  readonly replies: RoomEvent[];
  /** Replies in all, deleted ones excluded. */
  readonly count: number;
  /**
   * The edits, deletes and reactions that target a reply of this page (or, on the first page,
   * `afterSeq` 0, the parent), ascending, at most THREAD_RELATED_MAX: what a client folds the
   * replies with when they are far back in the room.
   */
  readonly related: RoomEvent[];
  /** True when more events target this page than `related` holds (its first THREAD_RELATED_MAX). */
  readonly relatedHasMore: boolean;
}

/** A full-text search. */
export interface SearchQuery {
  /** Plain words, all of which must match (never query syntax: quotes, `*`, NEAR are just characters). */
  readonly q: string;
  /** Whose search: rooms whose own rule excludes this user (private, others' DMs) are never searched. */
  readonly user: string;
  /** Only this room. */
  readonly room?: string | undefined;
  readonly limit: number;
}

/**
 * Reads of the chat projections (docs/chat.md, "Reads"), which the event
 * writers fill in the transaction of the events (chat/projection.ts): the
 * embedded log's writer on SQLite, the sink on PostgreSQL (so in cluster mode
 * they lag the events topic by the sink's lag, usually milliseconds).
 */
export interface ChatReads {
  /**
   * Per room the user belongs to (a member, or has a read position, which
   * both users of a DM get with its first event), ordered by room id: read
   * position, head, chat messages from others after it (deleted ones
   * excluded), and those of them that mention the user. Exact. Rooms whose
   * own rule excludes the user (a private room they left) are left out; token
   * capabilities are the caller's to apply. With `room`, only that room's row (none when it is no
   * room of the user's): what a single room's counts cost, not every room's.
   */
  unread(user: string, room?: string): Promise<UnreadRoom[]>;
  /** The edits of message `seq` by its author, ascending, at most `limit` (tombstones once it was deleted). */
  editsOf(room: string, seq: number, limit: number): Promise<RoomEvent[]>;
  /** The replies to message `seq`. */
  thread(room: string, seq: number, afterSeq: number, limit: number): Promise<Thread>;
  /**
   * The current text of non-deleted chat messages matching every word of
   * `q`, newest first, in rooms whose own rule admits `user`. Capabilities
   * are the caller's to apply.
   */
  search(query: SearchQuery): Promise<SearchHit[]>;
}

/** Which users `Store.listUsers` lists. */
export interface UserQuery {
  /** Only users sharing a room with this one (the user included). Absent: every member of any room. */
  readonly sharingWith?: string | undefined;
  /** Only ids containing this text, case-insensitively; empty or absent: all. */
  readonly text?: string | undefined;
  readonly limit: number;
}

/**
 * Rooms, memberships and read positions.
 *
 * Contract (every implementation passes `describeStoreContract`):
 * - `createRoom` is atomic and fails with ParleyError("ROOM_EXISTS") if the id
 *   is taken; the creator becomes a member.
 * - `addMember` and `removeMember` are idempotent.
 * - `listUsers` lists each user once, ordered by id; its query matches
 *   case-insensitively anywhere in the id, and `%`, `_` and `\\` are literal.
 * - `setLastRead` never moves a read position backwards. Read positions have
 *   one source, shared with `receipt` events: `Member.lastReadSeq`,
 *   `unread` and receipts all read and raise the same position.
 * - Everything written has been committed when the promise resolves.
 */
export interface Store extends ChatReads {
  start(): Promise<void>;
  createRoom(input: CreateRoomInput): Promise<Room>;
  getRoom(id: string): Promise<Room | undefined>;
  /** Public rooms, newest first, at most `limit`. */
  listPublicRooms(limit: number): Promise<Room[]>;
  /** Rooms the user is a member of. */
  listRoomsOf(user: string): Promise<Room[]>;
  addMember(room: string, user: string): Promise<void>;
  /** True when `user` was a member (and is no longer). */
  removeMember(room: string, user: string): Promise<boolean>;
  isMember(room: string, user: string): Promise<boolean>;
  listMembers(room: string): Promise<Member[]>;
  setLastRead(room: string, user: string, seq: number): Promise<void>;
  /**
   * Deletes a created public or private room: its type becomes `deleted` and every member is removed, in
   * one transaction. False when there is no such room, or it is a DM or already deleted (nothing changed).
   */
  deleteRoom(id: string): Promise<boolean>;
  /** Renames a created room; false when there is no such room. */
  renameRoom(id: string, name: string): Promise<boolean>;
  /** Users who are members of some room (with `sharingWith`: of a room that user is a member of too). */
  listUsers(query: UserQuery): Promise<string[]>;
  close(): Promise<void>;
}
