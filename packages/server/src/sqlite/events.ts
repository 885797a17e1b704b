/**
 * Prepared statements over the `events` and `room_heads` tables, and the
 * row ↔ RoomEvent mapping. Used by EmbeddedLog; kept apart so the log file is
 * about batching and ordering only.
 */
import type { RoomEvent } from "@parley/protocol";
import type { SqliteDb } from "./db.js";
import type { RoomState } from "../sequencer/sequencer.js";
import { EVENT_COLUMNS, EVENT_INSERT_COLUMNS, toEvent, type EventRow } from "../store/rows.js";
import { targetColumn } from "../chat/projection.js";

/** One events row as bound to the INSERT, in EVENT_INSERT_COLUMNS order; cheap to post to the writer thread. */
export type EventValues = [string, number, string, string, number, string, string, string, number | null];

/** The row of an event (body serialised). */
export function eventValues(e: RoomEvent): EventValues {
  return [e.room, e.seq, e.id, e.from, e.ts, e.kind, JSON.stringify(e.body), e.cmid, targetColumn(e)];
}

/** Typed access to stored events and room heads. */
export class SqliteEvents {
  private readonly stmts;

  constructor(db: SqliteDb) {
    this.stmts = {
      insert: db.prepare(`INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      byCmid: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE room = ? AND cmid = ?`),
      after: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE room = ? AND seq > ? ORDER BY seq LIMIT ?`),
      before: db.prepare(`SELECT ${EVENT_COLUMNS} FROM events WHERE room = ? AND seq < ? ORDER BY seq DESC LIMIT ?`),
      head: db.prepare("SELECT epoch, last_seq AS lastSeq FROM room_heads WHERE room = ?"),
      insertHead: db.prepare("INSERT INTO room_heads (room, epoch, last_seq) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"),
      maxSeq: db.prepare("SELECT MAX(seq) AS m FROM events WHERE room = ?"),
    };
  }

  /** Inserts one event; the caller wraps batches in a transaction. */
  insert(e: RoomEvent): void {
    this.insertValues(eventValues(e));
  }

  /** Inserts one row built by `eventValues`. */
  insertValues(values: EventValues): void {
    this.stmts.insert.run(...values);
  }

  /** The stored event for (room, cmid), if any. */
  findByCmid(room: string, cmid: string): RoomEvent | undefined {
    const row = this.stmts.byCmid.get(room, cmid) as EventRow | undefined;
    return row && toEvent(row);
  }

  /** Events with seq > afterSeq, ascending, at most `limit`. */
  readAfter(room: string, afterSeq: number, limit: number): RoomEvent[] {
    return (this.stmts.after.all(room, afterSeq, limit) as EventRow[]).map(toEvent);
  }

  /** The newest `limit` events with seq < beforeSeq, ascending. */
  readBefore(room: string, beforeSeq: number, limit: number): RoomEvent[] {
    return (this.stmts.before.all(room, beforeSeq, limit) as EventRow[]).map(toEvent).reverse();
  }

  /**
   * The stored head of a room, if the room was ever seen. Only its epoch is kept up to date: embedded mode
   * takes the last seq from the events themselves (maxSeq), so a commit need not rewrite the room's head row
   * (one page of the WAL per room per commit); lastSeq here is what an older version last wrote, or 0.
   */
  head(room: string): RoomState | undefined {
    return this.stmts.head.get(room) as RoomState | undefined;
  }

  /** Highest stored seq of a room (0 when none): the room's last seq (an index lookup on the primary key). */
  maxSeq(room: string): number {
    return (this.stmts.maxSeq.get(room) as { m: number | null }).m ?? 0;
  }

  /** Records a new room's epoch unless one exists already. */
  createHead(room: string, state: RoomState): void {
    this.stmts.insertHead.run(room, state.epoch, state.lastSeq);
  }
}
