/**
 * The chat reads' SQL shared by SQLite and PostgreSQL (`?` placeholders;
 * PostgreSQL numbers them with `numbered`). Full-text matching is the only
 * part per dialect (sqlite-chat.ts, postgres-chat.ts).
 */
import { DM_PREFIX, TOMBSTONE_BODY, type SearchHit, type UnreadRoom } from "@parley/protocol";
import { snippetOf } from "../chat/search-text.js";
import { EVENT_COLUMNS, toEvent, type EventRow } from "./rows.js";
import type { Thread } from "./store.js";

/**
 * The room rule of auth/access.ts as SQL over `col`, for reads that span rooms:
 * not a private room the user is no member of, and not a DM unless it is theirs
 * (both users of a DM hold a read position from its first event). Binds the user twice.
 * The DM test is the code's (isDmId): a case-sensitive prefix, never LIKE, which SQLite
 * matches case-insensitively (it made `DM:a:b` a DM to SQLite and an open room to the code).
 */
export function roomAdmits(col: string): string {
  return `NOT EXISTS (SELECT 1 FROM rooms ra WHERE ra.id = ${col} AND ra.type = 'private'
      AND NOT EXISTS (SELECT 1 FROM members mm WHERE mm.room = ra.id AND mm.user_id = ?))
    AND (${notDmSql(col)} OR EXISTS (SELECT 1 FROM read_positions pp WHERE pp.room = ${col} AND pp.user_id = ?))`;
}

/** SQL true when `col` is not in the DM namespace: the same case-sensitive prefix test as isDmId. */
function notDmSql(col: string): string {
  return `substr(${col}, 1, ${DM_PREFIX.length}) <> '${DM_PREFIX}'`;
}

/** The stored body of a deleted message, for comparisons in SQL. */
export const TOMBSTONE_TEXT = JSON.stringify(TOMBSTONE_BODY);

/** The `unread` rows of one user: of every room, or (`oneRoom`) of the room bound after each user of the inner union. */
function unreadSql(oneRoom: boolean): string {
  const only = oneRoom ? " AND room = ?" : "";
  // A room's last seq is its events' highest (the primary key's last entry): embedded mode no longer
  // advances room_heads.last_seq, and on PostgreSQL the sink writes both in one transaction.
  return `SELECT r.room AS room, r.last_read AS last_read,
      COALESCE((SELECT MAX(e.seq) FROM events e WHERE e.room = r.room), 0) AS last_seq,
      (SELECT count(*) FROM chat_messages c WHERE c.room = r.room AND c.seq > r.last_read AND c.from_user <> ?) AS unread,
      (SELECT count(*) FROM mentions m WHERE m.user_id = ? AND m.room = r.room AND m.seq > r.last_read) AS mentions
    FROM (SELECT room, MAX(up_to) AS last_read FROM (
        SELECT room, 0 AS up_to FROM members WHERE user_id = ?${only}
        UNION ALL SELECT room, up_to FROM read_positions WHERE user_id = ?${only}
      ) AS u GROUP BY room) AS r
    WHERE ${roomAdmits("r.room")}
    ORDER BY r.room`;
}

export const CHAT_SQL = {
  // Binds: user (unread), user (mentions), user (members), user (read positions), user ×2 (room rule).
  unread: unreadSql(false),
  // Binds: user (unread), user (mentions), user, room (members), user, room (read positions), user ×2 (room rule).
  unreadIn: unreadSql(true),
  // Binds: room, seq, room, seq, limit.
  edits: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE room = ? AND target = ? AND kind = 'edit'
      AND from_user = (SELECT t.from_user FROM events t WHERE t.room = ? AND t.seq = ?)
    ORDER BY seq LIMIT ?`,
  // Binds: room, seq, afterSeq, limit.
  replies: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE room = ? AND target = ? AND kind = 'message' AND seq > ? ORDER BY seq LIMIT ?`,
  // Binds: room, parent target (seq on the first page, else -1: none), room, seq, afterSeq, limit, related limit.
  // The replies' subquery is the `replies` page, so both use the (room, target) index.
  related: `SELECT ${EVENT_COLUMNS} FROM events
    WHERE room = ? AND kind IN ('edit', 'delete', 'reaction') AND target IN (
      SELECT CAST(? AS BIGINT) UNION ALL SELECT seq FROM (SELECT seq FROM events
        WHERE room = ? AND target = ? AND kind = 'message' AND seq > ? ORDER BY seq LIMIT ?) AS page)
    ORDER BY seq LIMIT ?`,
  // Binds: room, seq, tombstone.
  replyCount: `SELECT count(*) AS n FROM events WHERE room = ? AND target = ? AND kind = 'message' AND body <> ?`,
} as const;

/** Most events `Thread.related` carries per page (docs/chat.md, "Reads"). */
export const THREAD_RELATED_MAX = 1000;

/** The binds of CHAT_SQL.related for a thread page; asks one more than the bound to learn whether there is more. */
export function relatedParams(room: string, seq: number, afterSeq: number, limit: number): unknown[] {
  return [room, afterSeq === 0 ? seq : -1, room, seq, afterSeq, limit, THREAD_RELATED_MAX + 1];
}

/** A thread from its rows: `related` cut to the bound. */
export function toThread(replies: EventRow[], related: EventRow[], count: number): Thread {
  const relatedHasMore = related.length > THREAD_RELATED_MAX;
  return {
    replies: replies.map(toEvent),
    count,
    related: (relatedHasMore ? related.slice(0, THREAD_RELATED_MAX) : related).map(toEvent),
    relatedHasMore,
  };
}

/** Row of CHAT_SQL.unread. */
export interface UnreadRow {
  room: string;
  last_read: number;
  last_seq: number;
  unread: number;
  mentions: number;
}

/** Row of a search: a chat_messages row. */
export interface HitRow {
  room: string;
  seq: number;
  from_user: string;
  ts: number;
  text: string;
}

/** `?` placeholders as `$1, $2, …` (PostgreSQL); the SQL here never has a `?` inside a literal. */
export function numbered(sql: string): string {
  let n = 0;
  // `?3` keeps its number (a parameter used twice); a bare `?` takes the next one.
  return sql.replace(/\?(\d*)/g, (_, d: string) => `$${d || ++n}`);
}

/** Maps a search row to a hit. */
export function toHit(row: HitRow, words: readonly string[]): SearchHit {
  return {
    room: row.room,
    seq: row.seq,
    from: row.from_user,
    ts: row.ts,
    text: row.text,
    snippet: snippetOf(row.text, words),
  };
}

/** Maps an unread row to the wire shape. */
export function toUnread(r: UnreadRow): UnreadRoom {
  return { room: r.room, lastRead: r.last_read, lastSeq: r.last_seq, unread: r.unread, mentions: r.mentions };
}
