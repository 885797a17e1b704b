/**
 * One WriteBatch as one SQLite transaction: new rooms' epochs, events, their
 * chat projection (chat/projection.ts). A room's last seq is its events' own
 * (SqliteEvents.maxSeq), so no head row is rewritten per commit. The writer
 * thread (commit-worker.ts) runs it; tests that need stored events write them the same way.
 */
import type { RoomEvent } from "@parley/protocol";
import { projectEvents } from "../chat/projection.js";
import type { SqliteDb } from "./db.js";
import { SqliteProjection } from "./projection.js";
import type { WriteBatch } from "./log-writer.js";
import { SqliteEvents, eventValues } from "./events.js";

/** What one commit writes (a WriteBatch without its id). */
export type BatchContent = Omit<WriteBatch, "id">;

/** A function committing one batch per call, in an IMMEDIATE transaction on `db`. */
export function sqliteCommitter(db: SqliteDb): (batch: BatchContent) => void {
  const events = new SqliteEvents(db);
  const projection = new SqliteProjection(db);
  const tx = db.transaction((batch: BatchContent) => {
    for (const [room, epoch] of batch.createHeads) events.createHead(room, { epoch, lastSeq: 0 });
    for (const values of batch.events) events.insertValues(values);
    projection.apply(batch.projection);
  });
  return (batch) => {
    tx.immediate(batch);
    projection.committed(batch.projection);
  };
}

/** The batch storing already sequenced `events` (in log order) of rooms whose epoch is `epoch`. */
export function batchOfEvents(events: readonly RoomEvent[], epoch: string): BatchContent {
  const rooms = new Set(events.map((e) => e.room));
  return {
    createHeads: [...rooms].map((room) => [room, epoch] as const),
    events: events.map(eventValues),
    projection: projectEvents(events),
  };
}
