/**
 * The chat search index (FTS5 `chat_search`) filled after the commit, not in
 * it. A commit only records the new `chat_messages` rows in
 * `chat_search_pending` (a trigger, migration 5); `catchUp` moves every
 * pending row into the index in one transaction. Indexing in batches costs
 * far less per message than one FTS5 segment per group commit, and the ack no
 * longer waits for it (docs/performance.md, "Embedded publish (issue 18)").
 *
 * Who calls it: the writer thread after a commit once enough rows wait, and
 * at the latest SEARCH_INDEX_LAG_MS after one (commit-worker.ts), so the
 * index lags the log by a bounded time while the node runs; the writer thread
 * on start (rows a crash left pending); and every search, before it reads
 * (store.ts: on the node, a request to the writer thread between two commits,
 * so the event loop never waits for the write lock), so a search still sees
 * every message acked before it.
 */
import type { Statement } from "better-sqlite3";
import type { SqliteDb } from "./db.js";

/** Rows pending after a commit that make the writer thread index at once. */
export const SEARCH_INDEX_BATCH = 256;
/** Longest time the writer thread leaves committed rows out of the index. */
export const SEARCH_INDEX_LAG_MS = 100;

/** Moves pending chat messages into the FTS5 index, on one connection. */
export class SearchIndexer {
  private readonly pending: Statement<[]>;
  private readonly catchUpTx: () => number;

  constructor(db: SqliteDb) {
    this.pending = db.prepare("SELECT EXISTS (SELECT 1 FROM chat_search_pending) AS p");
    const index = db.prepare(`INSERT INTO chat_search (rowid, text)
      SELECT m.rowid, m.text FROM chat_search_pending p JOIN chat_messages m ON m.rowid = p.id ORDER BY p.id`);
    const clear = db.prepare("DELETE FROM chat_search_pending");
    const tx = db.transaction(() => {
      const { changes } = index.run();
      clear.run();
      return changes;
    });
    this.catchUpTx = () => tx.immediate();
  }

  /** Indexes every pending row in one transaction; returns how many (0, without writing, when none). */
  catchUp(): number {
    const row = this.pending.get() as { p: number };
    return row.p ? this.catchUpTx() : 0;
  }
}
