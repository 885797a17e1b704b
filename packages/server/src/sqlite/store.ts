import { ParleyError } from "@parley/protocol";
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import type { CreateRoomInput, Member, Room, SearchQuery, Store, Thread, UserQuery } from "../store/store.js";
import { SqliteChatReads } from "./chat.js";
import { guardSqlite, type SqliteDb } from "./db.js";
import { SearchIndexer } from "./search-index.js";
import {
  LIST_MEMBERS,
  LIST_USERS,
  likeText,
  MARK_ROOM_DELETED,
  RENAME_ROOM,
  ROOM_COLUMNS,
  toMember,
  toRoom,
  type MemberRow,
  type RoomRow,
} from "../store/rows.js";

/** Options of SqliteStore. */
export interface SqliteStoreOptions {
  /** Clock for createdAt/joinedAt; injectable for tests. Default Date.now. */
  readonly now?: () => number;
  /**
   * Indexes the chat messages still pending before a search (search-index.ts). The embedded node asks
   * its log's writer thread (EmbeddedLog.catchUpSearch), so the event loop never waits for the write
   * lock; by default the store does it on its own connection.
   */
  readonly catchUpSearch?: () => Promise<void>;
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE";
}

/** Storage failures surface as ParleyError("UNAVAILABLE"). */
function guard<T>(fn: () => T): Promise<T> {
  return guardSqlite("store", fn);
}

/**
 * The Store on the embedded SQLite database (shared with EmbeddedLog). Calls
 * run synchronously on the caller's thread; each write is its own committed
 * transaction by the time the promise resolves.
 */
export class SqliteStore implements Store {
  private readonly now: () => number;
  private readonly stmts;
  private readonly chat: SqliteChatReads;
  private readonly catchUpSearch: () => Promise<void>;

  constructor(
    private readonly db: SqliteDb,
    options: SqliteStoreOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.stmts = prepare(db);
    this.chat = new SqliteChatReads(db);
    const index = new SearchIndexer(db);
    this.catchUpSearch = options.catchUpSearch ?? (() => guard(() => void index.catchUp()));
  }

  async start(): Promise<void> {}

  createRoom(input: CreateRoomInput): Promise<Room> {
    return guard(() => {
      const room: Room = { ...input, createdAt: this.now() };
      this.db
        .transaction(() => {
          try {
            this.stmts.insertRoom.run(room.id, room.type, room.name, room.createdBy, room.createdAt);
          } catch (err) {
            if (isUniqueViolation(err)) throw new ParleyError("ROOM_EXISTS");
            throw err;
          }
          this.stmts.insertMember.run(room.id, room.createdBy, room.createdAt);
        })
        .immediate();
      return room;
    });
  }

  getRoom(id: string): Promise<Room | undefined> {
    return guard(() => {
      const row = this.stmts.getRoom.get(id) as RoomRow | undefined;
      return row && toRoom(row);
    });
  }

  listPublicRooms(limit: number): Promise<Room[]> {
    return guard(() => (this.stmts.listPublic.all(Math.max(0, limit)) as RoomRow[]).map(toRoom));
  }

  listRoomsOf(user: string): Promise<Room[]> {
    return guard(() => (this.stmts.listRoomsOf.all(user) as RoomRow[]).map(toRoom));
  }

  addMember(room: string, user: string): Promise<void> {
    return guard(() => void this.stmts.insertMember.run(room, user, this.now()));
  }

  removeMember(room: string, user: string): Promise<boolean> {
    return guard(() => this.stmts.deleteMember.run(room, user).changes > 0);
  }

  isMember(room: string, user: string): Promise<boolean> {
    return guard(() => this.stmts.isMember.get(room, user) !== undefined);
  }

  listMembers(room: string): Promise<Member[]> {
    return guard(() => (this.stmts.listMembers.all(room) as MemberRow[]).map(toMember));
  }

  setLastRead(room: string, user: string, seq: number): Promise<void> {
    // max() in the upsert keeps read positions monotonic without a read-modify-write race.
    return guard(() => void this.stmts.setLastRead.run(room, user, seq));
  }

  deleteRoom(id: string): Promise<boolean> {
    return guard(() =>
      this.db
        .transaction(() => {
          if (this.stmts.markRoomDeleted.run(id).changes === 0) return false;
          this.stmts.deleteMembers.run(id);
          return true;
        })
        .immediate(),
    );
  }

  renameRoom(id: string, name: string): Promise<boolean> {
    return guard(() => this.stmts.renameRoom.run(name, id).changes > 0);
  }

  listUsers(query: UserQuery): Promise<string[]> {
    // better-sqlite3 binds numbered parameters (`?1`) by name.
    const params = { 1: query.sharingWith ?? null, 2: likeText(query.text), 3: Math.max(0, query.limit) };
    return guard(() => (this.stmts.listUsers.all(params) as { user_id: string }[]).map((r) => r.user_id));
  }

  unread(user: string, room?: string): Promise<UnreadRoom[]> {
    return guard(() => this.chat.unread(user, room));
  }

  editsOf(room: string, seq: number, limit: number): Promise<RoomEvent[]> {
    return guard(() => this.chat.editsOf(room, seq, limit));
  }

  thread(room: string, seq: number, afterSeq: number, limit: number): Promise<Thread> {
    return guard(() => this.chat.thread(room, seq, afterSeq, limit));
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    await this.catchUpSearch();
    return guard(() => this.chat.search(query));
  }

  /** The database belongs to whoever opened it (see openEmbedded), so closing the store leaves it open. */
  async close(): Promise<void> {}
}

function prepare(db: SqliteDb) {
  return {
    insertRoom: db.prepare("INSERT INTO rooms (id, type, name, created_by, created_at) VALUES (?, ?, ?, ?, ?)"),
    getRoom: db.prepare(`SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.id = ?`),
    // rowid breaks ties between rooms created in the same millisecond (SQLite-specific).
    listPublic: db.prepare(
      `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.type = 'public' ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?`,
    ),
    listRoomsOf: db.prepare(
      `SELECT ${ROOM_COLUMNS} FROM members m JOIN rooms r ON r.id = m.room WHERE m.user_id = ? ORDER BY r.id`,
    ),
    insertMember: db.prepare(
      "INSERT INTO members (room, user_id, joined_at, last_read_seq) VALUES (?, ?, ?, 0) ON CONFLICT DO NOTHING",
    ),
    deleteMember: db.prepare("DELETE FROM members WHERE room = ? AND user_id = ?"),
    isMember: db.prepare("SELECT 1 FROM members WHERE room = ? AND user_id = ?"),
    listMembers: db.prepare(LIST_MEMBERS),
    renameRoom: db.prepare(RENAME_ROOM),
    markRoomDeleted: db.prepare(MARK_ROOM_DELETED),
    deleteMembers: db.prepare("DELETE FROM members WHERE room = ?"),
    listUsers: db.prepare(LIST_USERS),
    setLastRead: db.prepare(
      `INSERT INTO read_positions (room, user_id, up_to) VALUES (?, ?, ?)
        ON CONFLICT (room, user_id) DO UPDATE SET up_to = max(up_to, excluded.up_to)`,
    ),
  };
}
