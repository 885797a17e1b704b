/**
 * The chat reads (ChatReads in store.ts) on SQLite: the shared SQL of
 * chat-sql.ts plus FTS5 matching over the `chat_search` index (filled
 * after the commit, search-index.ts; SqliteStore has it caught up before
 * each search, so a search sees every message acked before it).
 */
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import { queryWords } from "../chat/search-text.js";
import {
  CHAT_SQL,
  relatedParams,
  roomAdmits,
  toHit,
  toThread,
  toUnread,
  TOMBSTONE_TEXT,
  type HitRow,
  type UnreadRow,
} from "../store/chat-sql.js";
import { toEvent, type EventRow } from "../store/rows.js";
import type { SqliteDb } from "./db.js";
import type { SearchQuery, Thread } from "../store/store.js";

// Messages holding every word whole come first (typing "17" finds "17" before 179…170), then newest.
const SEARCH = `SELECT c.room, c.seq, c.from_user, c.ts, c.text
  FROM chat_search s JOIN chat_messages c ON c.rowid = s.rowid
  WHERE chat_search MATCH ? AND (CAST(? AS TEXT) IS NULL OR c.room = ?) AND ${roomAdmits("c.room")}
  ORDER BY c.rowid IN (SELECT rowid FROM chat_search WHERE chat_search MATCH ?) DESC, c.ts DESC, c.seq DESC LIMIT ?`;

/**
 * An FTS5 query matching every word, the last one also as a prefix (search as you type): each word a
 * quoted string, so nothing in it is syntax; `"…"*` is FTS5's prefix form of a string.
 */
export function fts5Query(words: readonly string[], prefix = true): string {
  const last = prefix ? words.length - 1 : -1;
  return words.map((w, i) => `"${w.replaceAll('"', '""')}"${i === last ? "*" : ""}`).join(" ");
}

/** Synchronous chat reads on the main connection (callers wrap them for errors). */
export class SqliteChatReads {
  private readonly stmts;

  constructor(db: SqliteDb) {
    this.stmts = {
      unread: db.prepare(CHAT_SQL.unread),
      unreadIn: db.prepare(CHAT_SQL.unreadIn),
      edits: db.prepare(CHAT_SQL.edits),
      replies: db.prepare(CHAT_SQL.replies),
      replyCount: db.prepare(CHAT_SQL.replyCount),
      related: db.prepare(CHAT_SQL.related),
      search: db.prepare(SEARCH),
    };
  }

  unread(user: string, room?: string): UnreadRoom[] {
    const rows =
      room === undefined
        ? this.stmts.unread.all(user, user, user, user, user, user)
        : this.stmts.unreadIn.all(user, user, user, room, user, room, user, user);
    return (rows as UnreadRow[]).map(toUnread);
  }

  editsOf(room: string, seq: number, limit: number): RoomEvent[] {
    return (this.stmts.edits.all(room, seq, room, seq, limit) as EventRow[]).map(toEvent);
  }

  thread(room: string, seq: number, afterSeq: number, limit: number): Thread {
    const replies = this.stmts.replies.all(room, seq, afterSeq, limit) as EventRow[];
    const related = this.stmts.related.all(...relatedParams(room, seq, afterSeq, limit)) as EventRow[];
    const { n } = this.stmts.replyCount.get(room, seq, TOMBSTONE_TEXT) as { n: number };
    return toThread(replies, related, n);
  }

  search(query: SearchQuery): SearchHit[] {
    const words = queryWords(query.q);
    if (words.length === 0 || query.limit <= 0) return [];
    const room = query.room ?? null;
    const params = [fts5Query(words), room, room, query.user, query.user, fts5Query(words, false), query.limit];
    const rows = this.stmts.search.all(...params) as HitRow[];
    return rows.map((r) => toHit(r, words));
  }
}
