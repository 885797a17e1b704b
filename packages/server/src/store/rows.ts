/**
 * Row shapes and row → object mapping shared by the SQLite and PostgreSQL
 * backends: both schemas (schema.ts) use the same table and column names,
 * and both drivers return these columns as plain numbers and strings.
 */
import type { Json, RoomEvent } from "@parley/protocol";
import type { Member, Room, RoomType } from "./store.js";

/** Renames a created room. */
export const RENAME_ROOM = "UPDATE rooms SET name = ? WHERE id = ?";
/** Marks a public or private room deleted (its members are removed in the same transaction). */
export const MARK_ROOM_DELETED = "UPDATE rooms SET type = 'deleted' WHERE id = ? AND type IN ('public', 'private')";

export interface RoomRow {
  id: string;
  type: string;
  name: string;
  created_by: string;
  created_at: number;
}

export interface MemberRow {
  room: string;
  user_id: string;
  joined_at: number;
  last_read_seq: number;
}

export const ROOM_COLUMNS = "r.id, r.type, r.name, r.created_by, r.created_at";

export function toRoom(row: RoomRow): Room {
  return {
    id: row.id,
    type: row.type as RoomType,
    name: row.name,
    createdBy: row.created_by,
    createdAt: row.created_at,
  };
}

/**
 * Members with their read position. read_positions is the one source of read positions (receipts and
 * Store.setLastRead write it); members.last_read_seq is a pre-v2 column copied into it and no longer read.
 */
export const LIST_MEMBERS = `SELECT m.room, m.user_id, m.joined_at, COALESCE(p.up_to, 0) AS last_read_seq
  FROM members m LEFT JOIN read_positions p ON p.room = m.room AND p.user_id = m.user_id
  WHERE m.room = ? ORDER BY m.joined_at, m.user_id`;

/**
 * The user directory (Store.listUsers): members of any room, or only of the rooms `?1` is in
 * (`?1` NULL: any room), whose id contains `?2` (already lower-cased and LIKE-escaped with `\`).
 * `?n` are numbered parameters (SQLite's own; `numbered` turns them into PostgreSQL's `$n`).
 */
export const LIST_USERS = `SELECT DISTINCT m.user_id FROM members m
  WHERE (CAST(?1 AS TEXT) IS NULL OR m.room IN (SELECT s.room FROM members s WHERE s.user_id = CAST(?1 AS TEXT)))
    AND lower(m.user_id) LIKE '%' || CAST(?2 AS TEXT) || '%' ESCAPE '\\'
  ORDER BY m.user_id LIMIT ?3`;

/** `text` for LIST_USERS' LIKE: lower-cased, with the pattern characters taken literally. */
export function likeText(text: string | undefined): string {
  return (text ?? "").toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function toMember(row: MemberRow): Member {
  return { room: row.room, user: row.user_id, joinedAt: row.joined_at, lastReadSeq: row.last_read_seq };
}

export interface EventRow {
  room: string;
  seq: number;
  id: string;
  from_user: string;
  ts: number;
  kind: string;
  body: string;
  cmid: string;
}

export const EVENT_COLUMNS = "room, seq, id, from_user, ts, kind, body, cmid";
/** The columns an INSERT writes: EVENT_COLUMNS plus the derived `target` (see chat/projection.ts targetColumn). */
export const EVENT_INSERT_COLUMNS = `${EVENT_COLUMNS}, target`;

export function toEvent(row: EventRow): RoomEvent {
  return {
    room: row.room,
    seq: row.seq,
    id: row.id,
    from: row.from_user,
    ts: row.ts,
    kind: row.kind,
    body: JSON.parse(row.body) as Json,
    cmid: row.cmid,
  };
}
