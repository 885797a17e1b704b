/**
 * A data dir holding `events` stored chat messages, built once and cached
 * under bench/results/ (`*.tmp` is git-ignored): the restart scenario copies
 * it for every round, so each server starts on the same history.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RoomEvent } from "@parley/protocol";
import { openSqliteDb } from "@parley/server/store/sqlite-db.js";
import { batchOfEvents, sqliteCommitter } from "@parley/server/log/sqlite-commit.js";
import { log } from "./common.js";

const CACHE = fileURLToPath(new URL("../../results/", import.meta.url));
/** Written last: a directory without it is a generation that was cut short. */
const COMPLETE = "complete";
/** Events per transaction: large batches through the log's own commit path. */
const BATCH = 20_000;

/** Where the data dir of `events` messages over `rooms` rooms is; generated on first use. */
export function eventsDataDir(events: number, rooms: number): string {
  const dir = join(CACHE, `restart-${events}-${rooms}.tmp`);
  if (existsSync(join(dir, COMPLETE))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const started = Date.now();
  log(`restart: writing ${events} events over ${rooms} rooms into ${dir} (once; cached)`);
  generate(dir, events, rooms);
  writeFileSync(join(dir, COMPLETE), `${events} events, ${rooms} rooms\n`);
  log(`restart: data dir written in ${Math.round((Date.now() - started) / 1000)} s`);
  return dir;
}

/** Chat messages with text (so the search index and chat_messages are full too), round-robin over the rooms. */
function generate(dir: string, events: number, rooms: number): void {
  const db = openSqliteDb({ dataDir: dir, durability: "normal" });
  try {
    const commit = sqliteCommitter(db);
    const seqs = new Array<number>(rooms).fill(0);
    const t0 = Date.now() - events;
    for (let n = 0; n < events;) {
      const batch: RoomEvent[] = [];
      for (; batch.length < BATCH && n < events; n++) {
        const r = n % rooms;
        const seq = ++seqs[r]!;
        const body = { text: `message ${n} about topic ${n % 313} from the restart bench` };
        batch.push({
          room: `r${r}`,
          seq,
          id: `bench-${n}`,
          from: `u${n % 97}`,
          ts: t0 + n,
          kind: "message",
          body,
          cmid: `c${n}`,
        });
      }
      commit(batchOfEvents(batch, "bench-epoch"));
    }
    // Leave no WAL behind: every round starts from the same checkpointed file.
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
