/**
 * Row shapes and row → object mapping shared by the SQLite and PostgreSQL
 * backends: both schemas (schema.ts) use the same table and column names,
 * and both drivers return these columns as plain numbers and strings.
 */
import type { Json, RoomEvent } from "@parley/protocol";
import type { Member, Room, RoomType } from "./store.js";

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
