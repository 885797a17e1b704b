import { ParleyError } from "@parley/protocol";
import type pg from "pg";
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import type { CreateRoomInput, Member, Room, SearchQuery, Store, Thread, UserQuery } from "../store/store.js";
import { PostgresChatReads } from "./chat.js";
import { rowsOn, type RowsQuery } from "./query.js";
import { numbered } from "../store/chat-sql.js";
import {
  LIST_MEMBERS,
  LIST_USERS,
  likeText,
  RENAME_ROOM,
  MARK_ROOM_DELETED,
  ROOM_COLUMNS,
  toMember,
  toRoom,
  type MemberRow,
  type RoomRow,
} from "../store/rows.js";

/** Options of PostgresStore. */
export interface PostgresStoreOptions {
  /** Clock for createdAt/joinedAt; injectable for tests. Default Date.now. */
  readonly now?: () => number;
}

const SQL = {
  // One statement, so the room and its creator's membership commit together, and
  // ON CONFLICT makes concurrent creators race safely: exactly one sees n = 1.
  createRoom: `WITH r AS (
      INSERT INTO rooms (id, type, name, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT DO NOTHING RETURNING id, created_by, created_at
    ), m AS (
      INSERT INTO members (room, user_id, joined_at, last_read_seq)
      SELECT id, created_by, created_at, 0 FROM r ON CONFLICT DO NOTHING
    ) SELECT count(*)::int AS n FROM r`,
  getRoom: `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.id = $1`,
  // id breaks ties between rooms created in the same millisecond (no rowid here).
  listPublic: `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.type = 'public' ORDER BY r.created_at DESC, r.id DESC LIMIT $1`,
  listRoomsOf: `SELECT ${ROOM_COLUMNS} FROM members m JOIN rooms r ON r.id = m.room WHERE m.user_id = $1 ORDER BY r.id`,
  insertMember:
    "INSERT INTO members (room, user_id, joined_at, last_read_seq) VALUES ($1, $2, $3, 0) ON CONFLICT DO NOTHING",
  deleteMember: "DELETE FROM members WHERE room = $1 AND user_id = $2 RETURNING 1",
  isMember: "SELECT 1 FROM members WHERE room = $1 AND user_id = $2",
  listMembers: numbered(LIST_MEMBERS),
  renameRoom: numbered(RENAME_ROOM),
  // One statement, so one transaction: the room is marked and emptied together.
  deleteRoom: `WITH deleted AS (${numbered(MARK_ROOM_DELETED)} RETURNING id),
    emptied AS (DELETE FROM members WHERE room IN (SELECT id FROM deleted))
    SELECT id FROM deleted`,
  listUsers: numbered(LIST_USERS),
  // GREATEST in the upsert keeps read positions monotonic without a read-modify-write race.
  setLastRead: `INSERT INTO read_positions (room, user_id, up_to) VALUES ($2, $3, $1)
    ON CONFLICT (room, user_id) DO UPDATE SET up_to = GREATEST(read_positions.up_to, excluded.up_to)`,
} as const;

/**
 * The Store on PostgreSQL, for cluster mode: the same core tables as SQLite
 * (schema.ts). Every call is one autocommitted statement, so it is committed
 * when its promise resolves. The pool belongs to whoever opened it.
 */
export class PostgresStore implements Store {
  private readonly now: () => number;
  private readonly chat: PostgresChatReads;
  private readonly rows: RowsQuery;

  constructor(pool: pg.Pool, options: PostgresStoreOptions = {}) {
    this.rows = rowsOn(pool, "store");
    this.now = options.now ?? Date.now;
    this.chat = new PostgresChatReads(pool);
  }

  /** The schema is migrated by openPostgresDb; nothing more to do. */
  async start(): Promise<void> {}

  async createRoom(input: CreateRoomInput): Promise<Room> {
    const room: Room = { ...input, createdAt: this.now() };
    const rows = await this.rows<{ n: number }>(SQL.createRoom, [
      room.id,
      room.type,
      room.name,
      room.createdBy,
      room.createdAt,
    ]);
    if (rows[0]?.n !== 1) throw new ParleyError("ROOM_EXISTS");
    return room;
  }

  async getRoom(id: string): Promise<Room | undefined> {
    const rows = await this.rows<RoomRow>(SQL.getRoom, [id]);
    return rows[0] && toRoom(rows[0]);
  }

  async listPublicRooms(limit: number): Promise<Room[]> {
    return (await this.rows<RoomRow>(SQL.listPublic, [Math.max(0, limit)])).map(toRoom);
  }

  async listRoomsOf(user: string): Promise<Room[]> {
    return (await this.rows<RoomRow>(SQL.listRoomsOf, [user])).map(toRoom);
  }

  async addMember(room: string, user: string): Promise<void> {
    await this.rows(SQL.insertMember, [room, user, this.now()]);
  }

  async removeMember(room: string, user: string): Promise<boolean> {
    return (await this.rows(SQL.deleteMember, [room, user])).length > 0;
  }

  async isMember(room: string, user: string): Promise<boolean> {
    return (await this.rows(SQL.isMember, [room, user])).length > 0;
  }

  async listMembers(room: string): Promise<Member[]> {
    return (await this.rows<MemberRow>(SQL.listMembers, [room])).map(toMember);
  }

  async setLastRead(room: string, user: string, seq: number): Promise<void> {
    await this.rows(SQL.setLastRead, [seq, room, user]);
  }

  async deleteRoom(id: string): Promise<boolean> {
    return (await this.rows(SQL.deleteRoom, [id])).length > 0;
  }

  async renameRoom(id: string, name: string): Promise<boolean> {
    return (await this.rows(`${SQL.renameRoom} RETURNING 1`, [name, id])).length > 0;
  }

  async listUsers(query: UserQuery): Promise<string[]> {
    const params = [query.sharingWith ?? null, likeText(query.text), Math.max(0, query.limit)];
    return (await this.rows<{ user_id: string }>(SQL.listUsers, params)).map((r) => r.user_id);
  }

  unread(user: string, room?: string): Promise<UnreadRoom[]> {
    return this.chat.unread(user, room);
  }

  editsOf(room: string, seq: number, limit: number): Promise<RoomEvent[]> {
    return this.chat.editsOf(room, seq, limit);
  }

  thread(room: string, seq: number, afterSeq: number, limit: number): Promise<Thread> {
    return this.chat.thread(room, seq, afterSeq, limit);
  }

  search(query: SearchQuery): Promise<SearchHit[]> {
    return this.chat.search(query);
  }

  /** The pool belongs to whoever opened it (see openCluster), so closing the store leaves it open. */
  async close(): Promise<void> {}
}
