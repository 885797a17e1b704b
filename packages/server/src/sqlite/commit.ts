/**
 * One WriteBatch as one SQLite transaction: new heads, events, their chat
 * projection (chat/projection.ts), advanced heads. The writer thread
 * (commit-worker.ts) runs it; tests that need stored events write them the same way.
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
    // New heads first: the upserts below only move last_seq, so a head created here keeps its epoch.
    for (const [room, epoch] of batch.createHeads) events.createHead(room, { epoch, lastSeq: 0 });
    for (const values of batch.events) events.insertValues(values);
    projection.apply(batch.projection);
    for (const [room, epoch, lastSeq] of batch.heads) events.saveHead(room, { epoch, lastSeq });
  });
  return (batch) => {
    tx.immediate(batch);
    projection.committed(batch.projection);
  };
}

/** The batch storing already sequenced `events` (in log order) of rooms whose epoch is `epoch`. */
export function batchOfEvents(events: readonly RoomEvent[], epoch: string): BatchContent {
  const heads = new Map<string, number>();
  for (const e of events) heads.set(e.room, Math.max(heads.get(e.room) ?? 0, e.seq));
  return {
    createHeads: [...heads.keys()].map((room) => [room, epoch] as const),
    events: events.map(eventValues),
    projection: projectEvents(events),
    heads: [...heads].map(([room, last]) => [room, epoch, last] as const),
  };
}
