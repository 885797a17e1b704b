/** Writes a data dir of stored chat messages through the embedded log's own commit path (bench/src/scenarios/restart-data.ts caches it). */
import type { RoomEvent } from "@parley/protocol";
import { openSqliteDb } from "#server/sqlite/db.js";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";
import { SearchIndexer } from "#server/sqlite/search-index.js";

/** Events per transaction: large batches through the log's own commit path. */
const BATCH = 20_000;

/** Chat messages with text (so the search index and chat_messages are full too), round-robin over the rooms. */
export function writeChatEvents(dir: string, events: number, rooms: number): void {
  const db = openSqliteDb({ dataDir: dir, durability: "normal" });
  try {
    const commit = sqliteCommitter(db);
    const searchIndex = new SearchIndexer(db);
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
      // Indexed as the server's writer thread does after its commits: the data dir starts with nothing pending.
      searchIndex.catchUp();
    }
    // Leave no WAL behind: every round starts from the same checkpointed file.
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}
