/**
 * The embedded log's writer thread. It owns its own connection to the
 * database and commits each WriteBatch in one transaction, so the fsync of a
 * group commit blocks this thread instead of the server's event loop. It
 * decides nothing: the main thread has already sequenced the batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteConnection, type SqliteDb } from "./db.js";
import { sqliteCommitter } from "./commit.js";
import { SEARCH_INDEX_BATCH, SEARCH_INDEX_LAG_MS, SearchIndexer } from "./search-index.js";
import { INDEXED_REPLY, type CommitReply, type WriteBatch, type WriterConfig } from "./log-writer.js";

const config = workerData as WriterConfig;
let db: SqliteDb | undefined;
let write: ((batch: WriteBatch) => void) | undefined;
let searchIndex: SearchIndexer | undefined;
/** Chat messages committed since the index last caught up, and the timer that bounds their wait. */
let unindexed = 0;
let indexTimer: NodeJS.Timeout | undefined;
let closing = false;

/** Opens the connection on first use, so an open failure is reported as that batch's failure. */
function writer(): (batch: WriteBatch) => void {
  if (write) return write;
  db = openSqliteConnection(config.file, config.synchronous, config.busyTimeoutMs);
  write = sqliteCommitter(db);
  searchIndex = new SearchIndexer(db);
  // Rows a crash left out of the index.
  indexNow();
  return write;
}

/**
 * Brings the search index up to date. On failure the rows stay pending and the timer tries again; the
 * error is returned for a search that asked (it fails rather than miss acked messages).
 */
function indexNow(): string | undefined {
  clearTimeout(indexTimer);
  indexTimer = undefined;
  unindexed = 0;
  try {
    searchIndex?.catchUp();
    return undefined;
  } catch (err) {
    if (!closing) {
      unindexed = 1;
      indexTimer = setTimeout(indexNow, SEARCH_INDEX_LAG_MS);
    }
    return (err as Error).message ?? String(err);
  }
}

/** After a commit (its reply already sent): index a full batch at once, else within the lag bound. */
function afterCommit(messages: number): void {
  unindexed += messages;
  if (unindexed >= SEARCH_INDEX_BATCH) indexNow();
  else if (unindexed > 0) indexTimer ??= setTimeout(indexNow, SEARCH_INDEX_LAG_MS);
}

// Open at once and say so (reply id 0), so the log's start() can wait for a thread ready to commit.
try {
  writer();
  parentPort?.postMessage({ id: 0 } satisfies CommitReply);
} catch (err) {
  parentPort?.postMessage({ id: 0, error: (err as Error).message ?? String(err) } satisfies CommitReply);
}

parentPort?.on("message", (msg: WriteBatch | "close" | "index") => {
  if (msg === "index") {
    const error = write ? indexNow() : "log writer not open";
    parentPort?.postMessage({ id: INDEXED_REPLY, ...(error !== undefined && { error }) } satisfies CommitReply);
    return;
  }
  if (msg === "close") {
    closing = true;
    indexNow();
    db?.close();
    parentPort?.close();
    return;
  }
  let reply: CommitReply;
  try {
    writer()(msg);
    reply = { id: msg.id };
  } catch (err) {
    reply = { id: msg.id, error: (err as Error).message ?? String(err) };
  }
  parentPort?.postMessage(reply);
  if (reply.error === undefined) afterCommit(msg.projection.messages.length);
});
