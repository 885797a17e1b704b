/**
 * What one durable commit costs the embedded log's writer, with nothing else running: the SQL the writer
 * thread runs (`sqliteCommitter`, durability full) on a fresh database, one thread, for the batch shapes the
 * two publish-bound scenarios form (docs/performance.md, "What this machine allows"):
 *  - `dms`: a DM room chosen at random among 5 000 per event, batches of 1–20 (2 500 DMs/s at a few ms of
 *    spacing commits ~5 at a time);
 *  - `durable`: 200 rooms, batches of 300 and 2 000 (the closed loop commits 2 000, its cap).
 * Each shape runs as shipped (`full`: events and their chat projection) and with the events rows alone
 * (`events only`: the least any durable log of these events writes in this schema), so the floor of the
 * store itself is apart from the projections'. Reported per event: CPU (user, system: the WAL writes and
 * fsyncs), wall, WAL frames (4 KiB pages written per commit, divided by the events in it).
 *
 *   node packages/server/dist-test/bench/commit-floor.js [--events=N] [--out=FILE]
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dmRoomId, type RoomEvent } from "@parley/protocol";
import { projectEvents } from "#server/chat/projection.js";
import { openSqliteDb, type SqliteDb } from "#server/sqlite/db.js";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";

interface Shape {
  readonly name: "dms" | "durable";
  readonly rooms: number;
  readonly batches: readonly number[];
}

const SHAPES: readonly Shape[] = [
  { name: "dms", rooms: 5_000, batches: [1, 5, 20] },
  { name: "durable", rooms: 200, batches: [300, 2_000] },
];
const SCHEMAS = ["full", "events only"] as const;
type Schema = (typeof SCHEMAS)[number];

export interface FloorPoint {
  readonly shape: Shape["name"];
  readonly rooms: number;
  readonly batch: number;
  readonly schema: Schema;
  readonly cpuUsPerEvent: number;
  readonly userUsPerEvent: number;
  readonly systemUsPerEvent: number;
  readonly wallUsPerEvent: number;
  readonly walFramesPerEvent: number;
}

/** What a batch writes to the projection tables when it writes none (the projection of no events). */
const EMPTY_PROJECTION = projectEvents([]);

/** A message of ~100 bytes in a random room of `rooms`, seqs contiguous per room. */
function eventSource(rooms: readonly string[]): () => RoomEvent {
  const seqs = new Map<string, number>();
  let n = 0;
  const text = "x".repeat(96);
  return () => {
    const room = rooms[Math.floor(Math.random() * rooms.length)] as string;
    const seq = (seqs.get(room) ?? 0) + 1;
    seqs.set(room, seq);
    n += 1;
    const from = room.split(":")[1] ?? "u0";
    return {
      room,
      seq,
      id: `e${n}`,
      from,
      ts: Date.now(),
      kind: "message",
      body: { text: `${text}${n}` },
      cmid: `c${n}`,
    };
  };
}

function roomsOf(shape: Shape): string[] {
  return Array.from({ length: shape.rooms }, (_, i) => dmRoomId(`u${2 * i}`, `u${2 * i + 1}`));
}

/** How one point commits: events per transaction, and what each transaction writes. */
interface Run {
  readonly batch: number;
  readonly schema: Schema;
}

/** Commits `count` events in batches of `batch`; the batch content is built outside the timed commit. */
function commitAll(db: SqliteDb, next: () => RoomEvent, count: number, { batch, schema }: Run): void {
  const commit = sqliteCommitter(db);
  for (let done = 0; done < count; done += batch) {
    const b = batchOfEvents(Array.from({ length: batch }, next), "e1");
    commit(schema === "full" ? b : { ...b, projection: EMPTY_PROJECTION });
  }
}

function measure(shape: Shape, batch: number, schema: Schema, events: number): FloorPoint {
  const dir = mkdtempSync(join(tmpdir(), "parley-commit-floor-"));
  const db = openSqliteDb({ dataDir: dir, durability: "full" });
  try {
    const next = eventSource(roomsOf(shape));
    // A warm database: every room has rows and pages, as after a while of running.
    commitAll(db, next, Math.max(events, shape.rooms * 4), { batch: Math.max(batch, 100), schema });
    db.pragma("wal_checkpoint(TRUNCATE)");
    db.pragma("wal_autocheckpoint = 0");
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const count = Math.ceil(events / batch) * batch;
    commitAll(db, next, count, { batch, schema });
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const frames = (db.pragma("wal_checkpoint(PASSIVE)") as { log: number }[])[0]?.log ?? 0;
    const per = (x: number) => Math.round((x / count) * 10) / 10;
    return {
      shape: shape.name,
      rooms: shape.rooms,
      batch,
      schema,
      cpuUsPerEvent: per(cpu.user + cpu.system),
      userUsPerEvent: per(cpu.user),
      systemUsPerEvent: per(cpu.system),
      wallUsPerEvent: per(wallMs * 1000),
      walFramesPerEvent: Math.round((frames / count) * 100) / 100,
    };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
  const events = Number(arg("events") ?? 20_000);
  const points: FloorPoint[] = [];
  for (const shape of SHAPES) {
    for (const batch of shape.batches) {
      for (const schema of SCHEMAS) {
        const p = measure(shape, batch, schema, Math.max(events, batch * 10));
        points.push(p);
        console.log(
          `${p.shape} batch ${p.batch} ${p.schema}: ${p.cpuUsPerEvent} µs CPU per event (user ${p.userUsPerEvent}, system ${p.systemUsPerEvent}), wall ${p.wallUsPerEvent}, ${p.walFramesPerEvent} WAL frames per event`,
        );
      }
    }
  }
  const out = arg("out");
  if (out) writeFileSync(out, `${JSON.stringify({ events, points }, null, 2)}\n`);
}

main();
