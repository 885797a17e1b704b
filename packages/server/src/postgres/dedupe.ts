/**
 * DedupeFallback over the PostgreSQL events the sink writes: one query per
 * sequencer batch, answering both "is this (room, cmid) stored" (the UNIQUE
 * (room, cmid) index) and "how far has the sink written the room" (room_heads),
 * both only for the room's current epoch: rows of an older stream of the room
 * are not duplicates of anything in the new one. Also tells the sequencer how
 * far the sink has written each events partition (its stored positions).
 */
import type pg from "pg";
import { dedupeKey } from "../sequencer/sequencer.js";
import { rowsOn, type RowsQuery } from "./query.js";
import { PostgresSinkPositions } from "./sink-positions.js";
import { toEvent, type EventRow } from "../store/rows.js";
import type { DedupeAnswer, DedupeFallback, DedupeProbe } from "../kafka/sequencer/dedupe-fallback.js";

const FIND = `SELECT q.room AS probe_room, h.last_seq AS stored_through,
    e.room, e.seq, e.id, e.from_user, e.ts, e.kind, e.body, e.cmid
  FROM unnest($1::text[], $2::text[], $3::text[]) AS q(room, cmid, epoch)
  LEFT JOIN room_heads h ON h.room = q.room AND h.epoch = q.epoch
  LEFT JOIN events e ON h.room IS NOT NULL AND e.room = q.room AND e.cmid = q.cmid`;

type Row = Partial<EventRow> & { probe_room: string; stored_through: number | string | null };

/** Looks retried cmids up in PostgreSQL; the pool belongs to the caller. */
export class PostgresDedupe implements DedupeFallback {
  private readonly rows: RowsQuery;
  private readonly positions: PostgresSinkPositions;

  constructor(pool: pg.Pool) {
    this.rows = rowsOn(pool, "dedupe");
    this.positions = new PostgresSinkPositions(pool);
  }

  writtenBelow(eventsTopic: string): Promise<ReadonlyMap<number, bigint>> {
    return this.positions.read(eventsTopic);
  }

  async find(probes: readonly DedupeProbe[]): Promise<DedupeAnswer> {
    const found = new Map<string, ReturnType<typeof toEvent>>();
    const storedThrough = new Map<string, number>();
    if (probes.length === 0) return { found, storedThrough };
    const params = [probes.map((p) => p.room), probes.map((p) => p.cmid), probes.map((p) => p.epoch)];
    const rows = await this.rows<Row>(FIND, params);
    for (const row of rows) {
      if (row.stored_through !== null) storedThrough.set(row.probe_room, Number(row.stored_through));
      if (row.seq !== null && row.seq !== undefined) {
        const event = toEvent(row as EventRow);
        found.set(dedupeKey(event.room, event.cmid), event);
      }
    }
    return { found, storedThrough };
  }
}
