/**
 * The chat reads (ChatReads in store.ts) on PostgreSQL: the shared SQL of
 * chat-sql.ts, numbered, plus `tsvector` matching over chat_messages.text_tsv
 * (GIN-indexed, postgres-dialect.ts). The sink fills these tables, so reads
 * lag the events topic by the sink's lag.
 */
import type { RoomEvent, SearchHit, UnreadRoom } from "@parley/protocol";
import type pg from "pg";
import { queryWords } from "../chat/search-text.js";
import {
  CHAT_SQL,
  numbered,
  relatedParams,
  roomAdmits,
  toHit,
  toThread,
  toUnread,
  TOMBSTONE_TEXT,
  type HitRow,
  type UnreadRow,
} from "../store/chat-sql.js";
import { rowsOn, type RowsQuery } from "./query.js";
import { toEvent, type EventRow } from "../store/rows.js";
import type { ChatReads, SearchQuery, Thread } from "../store/store.js";

// to_tsquery of tsQuery's output: quoted words (queryWords keeps only letters and digits, so nothing is syntax).
// Messages holding every word whole come first (typing "17" finds "17" before 179…170), then newest.
const SEARCH = numbered(`SELECT c.room, c.seq, c.from_user, c.ts, c.text FROM chat_messages c
  WHERE c.text_tsv @@ to_tsquery('simple', ?) AND (CAST(? AS TEXT) IS NULL OR c.room = ?)
    AND ${roomAdmits("c.room")}
  ORDER BY c.text_tsv @@ to_tsquery('simple', ?) DESC, c.ts DESC, c.seq DESC LIMIT ?`);

/** Every word ANDed, the last one also as a prefix (search as you type), as fts5Query does on SQLite. */
export function tsQuery(words: readonly string[], prefix = true): string {
  const last = prefix ? words.length - 1 : -1;
  return words.map((w, i) => `'${w.replaceAll("'", "''")}'${i === last ? ":*" : ""}`).join(" & ");
}

const SQL = {
  unread: numbered(CHAT_SQL.unread),
  unreadIn: numbered(CHAT_SQL.unreadIn),
  edits: numbered(CHAT_SQL.edits),
  replies: numbered(CHAT_SQL.replies),
  replyCount: numbered(CHAT_SQL.replyCount),
  related: numbered(CHAT_SQL.related),
} as const;

/** Chat reads over the pool. */
export class PostgresChatReads implements ChatReads {
  private readonly rows: RowsQuery;

  constructor(pool: pg.Pool) {
    this.rows = rowsOn(pool, "store");
  }

  async unread(user: string, room?: string): Promise<UnreadRoom[]> {
    const rows =
      room === undefined
        ? await this.rows<UnreadRow>(SQL.unread, [user, user, user, user, user, user])
        : await this.rows<UnreadRow>(SQL.unreadIn, [user, user, user, room, user, room, user, user]);
    return rows.map(toUnread);
  }

  async editsOf(room: string, seq: number, limit: number): Promise<RoomEvent[]> {
    return (await this.rows<EventRow>(SQL.edits, [room, seq, room, seq, limit])).map(toEvent);
  }

  async thread(room: string, seq: number, afterSeq: number, limit: number): Promise<Thread> {
    const [replies, related, counted] = await Promise.all([
      this.rows<EventRow>(SQL.replies, [room, seq, afterSeq, limit]),
      this.rows<EventRow>(SQL.related, relatedParams(room, seq, afterSeq, limit)),
      this.rows<{ n: number }>(SQL.replyCount, [room, seq, TOMBSTONE_TEXT]),
    ]);
    return toThread(replies, related, counted[0]?.n ?? 0);
  }

  async search(query: SearchQuery): Promise<SearchHit[]> {
    const words = queryWords(query.q);
    if (words.length === 0 || query.limit <= 0) return [];
    const room = query.room ?? null;
    const params = [tsQuery(words), room, room, query.user, query.user, tsQuery(words, false), query.limit];
    return (await this.rows<HitRow>(SEARCH, params)).map((r) => toHit(r, words));
  }
}
