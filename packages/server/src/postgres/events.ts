/**
 * The `events` and `room_heads` tables on PostgreSQL: idempotent batch
 * inserts for the sink, and the reads behind history and resume.
 */
import type { RoomEvent } from "@parley/protocol";
import type pg from "pg";
import { guardPg, inTransaction, rowsOn, type RowsQuery } from "./query.js";
import { EVENT_COLUMNS, EVENT_INSERT_COLUMNS, toEvent, type EventRow } from "../store/rows.js";
import { projectEvents, targetColumn } from "../chat/projection.js";
import { applyPostgresProjection, DROP_ROOM_PROJECTIONS } from "./projection.js";
import { writeSinkPositions, type SinkPosition } from "./sink-positions.js";

/** An event as the sink receives it: with its room's epoch when the log carries one. */
export interface StoredEvent {
  readonly event: RoomEvent;
  /** The room stream's epoch; a new epoch means the stream was recreated and older rows are stale. */
  readonly epoch?: string;
}

const SQL = {
  // One round trip for the whole batch; a re-delivered event hits (room, seq) or
  // (room, cmid) and is skipped, which is what makes replays after a crash harmless; RETURNING names the
  // rows really added, the only ones the chat projection may apply (a replayed message must not revive).
  insert: `INSERT INTO events (${EVENT_INSERT_COLUMNS})
    SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[],
      $8::text[], $9::bigint[])
    ON CONFLICT DO NOTHING RETURNING room, seq`,
  heads: "SELECT room, epoch FROM room_heads WHERE room = ANY($1::text[]) FOR UPDATE",
  dropRoom: "DELETE FROM events WHERE room = $1",
  upsertHeads: `INSERT INTO room_heads (room, epoch, last_seq)
    SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
    ON CONFLICT (room) DO UPDATE SET epoch = excluded.epoch,
      last_seq = CASE WHEN room_heads.epoch = excluded.epoch
        THEN GREATEST(room_heads.last_seq, excluded.last_seq) ELSE excluded.last_seq END`,
  after: `SELECT ${EVENT_COLUMNS} FROM events WHERE room = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
  before: `SELECT ${EVENT_COLUMNS} FROM events WHERE room = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`,
  head: "SELECT epoch, last_seq FROM room_heads WHERE room = $1",
  maxSeq: "SELECT COALESCE(MAX(seq), 0) AS m FROM events WHERE room = $1",
} as const;

/** Typed access to stored events and room heads on PostgreSQL. */
export class PostgresEvents {
  private readonly rows: RowsQuery;

  constructor(private readonly pool: pg.Pool) {
    this.rows = rowsOn(pool, "events");
  }

  /**
   * Writes a batch in one transaction: events already stored are skipped, the
   * new ones are projected (chat/projection.ts), room heads advance, a room
   * whose epoch changed loses its stale rows first, and the sink's `positions`
   * (sink-positions.ts) move past the batch in the same commit. Resolves with
   * the number of new rows once committed.
   */
  async insertBatch(batch: readonly StoredEvent[], positions: readonly SinkPosition[] = []): Promise<number> {
    if (batch.length === 0 && positions.length === 0) return 0;
    return guardPg("events", () =>
      inTransaction(this.pool, async (client) => {
        const inserted = batch.length === 0 ? 0 : await this.insertEvents(client, batch);
        await writeSinkPositions(client, positions);
        return inserted;
      }),
    );
  }

  /** Events with seq > afterSeq, ascending, at most `limit`. */
  async readAfter(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    return (await this.rows<EventRow>(SQL.after, [room, afterSeq, Math.max(0, limit)])).map(toEvent);
  }

  /** The newest `limit` events with seq < beforeSeq, ascending. */
  async readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    return (await this.rows<EventRow>(SQL.before, [room, beforeSeq, Math.max(0, limit)])).map(toEvent).reverse();
  }

  /** The stored head of a room (what the sink has written), if the room was ever seen with an epoch. */
  async head(room: string): Promise<{ epoch: string; lastSeq: number } | undefined> {
    const row = (await this.rows<{ epoch: string; last_seq: number }>(SQL.head, [room]))[0];
    return row && { epoch: row.epoch, lastSeq: row.last_seq };
  }

  /** Highest stored seq of a room (0 when none). */
  async maxSeq(room: string): Promise<number> {
    return (await this.rows<{ m: number }>(SQL.maxSeq, [room]))[0]?.m ?? 0;
  }

  private async insertEvents(client: pg.PoolClient, batch: readonly StoredEvent[]): Promise<number> {
    const epochs = latestEpochs(batch);
    const events = batch.filter((s) => s.epoch === undefined || s.epoch === epochs.get(s.event.room));
    await this.resetChangedRooms(client, epochs);
    const { rows } = await client.query<{ room: string; seq: number }>(SQL.insert, columns(events));
    const added = new Set(rows.map((r) => `${r.seq}:${r.room}`));
    // delete() is true once per key: an event that came twice in the batch projects once.
    const fresh = events.map((s) => s.event).filter((e) => added.delete(`${e.seq}:${e.room}`));
    await applyPostgresProjection(client, projectEvents(fresh));
    await this.advanceHeads(client, events, epochs);
    return rows.length;
  }

  private async resetChangedRooms(client: pg.PoolClient, epochs: Map<string, string>): Promise<void> {
    if (epochs.size === 0) return;
    const { rows } = await client.query<{ room: string; epoch: string }>(SQL.heads, [[...epochs.keys()]]);
    for (const row of rows) {
      if (row.epoch !== epochs.get(row.room)) {
        for (const sql of [SQL.dropRoom, ...DROP_ROOM_PROJECTIONS]) await client.query(sql, [row.room]);
      }
    }
  }

  private async advanceHeads(client: pg.PoolClient, events: readonly StoredEvent[], epochs: Map<string, string>) {
    const last = new Map<string, number>();
    for (const { event } of events) last.set(event.room, Math.max(last.get(event.room) ?? 0, event.seq));
    const rooms = [...epochs.keys()].filter((room) => last.has(room));
    if (rooms.length === 0) return;
    await client.query(SQL.upsertHeads, [rooms, rooms.map((r) => epochs.get(r)), rooms.map((r) => last.get(r))]);
  }
}

/** Per room, the epoch of its last event in the batch (the log is in order, so the last one is current). */
function latestEpochs(batch: readonly StoredEvent[]): Map<string, string> {
  const epochs = new Map<string, string>();
  for (const s of batch) if (s.epoch !== undefined) epochs.set(s.event.room, s.epoch);
  return epochs;
}

/** The batch as nine column arrays (EVENT_INSERT_COLUMNS), for unnest. */
function columns(batch: readonly StoredEvent[]): unknown[][] {
  const events = batch.map((s) => s.event);
  return [
    events.map((e) => e.room),
    events.map((e) => e.seq),
    events.map((e) => e.id),
    events.map((e) => e.from),
    events.map((e) => e.ts),
    events.map((e) => e.kind),
    events.map((e) => JSON.stringify(e.body)),
    events.map((e) => e.cmid),
    events.map(targetColumn),
  ];
}
