/**
 * The embedded log's writer thread. It owns its own connection to the
 * database and commits each WriteBatch in one transaction, so the fsync of a
 * group commit blocks this thread instead of the server's event loop. It
 * decides nothing: the main thread has already sequenced the batch.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openSqliteConnection, type SqliteDb } from "./db.js";
import { sqliteCommitter } from "./commit.js";
import type { CommitReply, WriteBatch, WriterConfig } from "./log-writer.js";

const config = workerData as WriterConfig;
let db: SqliteDb | undefined;
let write: ((batch: WriteBatch) => void) | undefined;

/** Opens the connection on first use, so an open failure is reported as that batch's failure. */
function writer(): (batch: WriteBatch) => void {
  if (write) return write;
  db = openSqliteConnection(config.file, config.synchronous, config.busyTimeoutMs);
  write = sqliteCommitter(db);
  return write;
}

// Open at once and say so (reply id 0), so the log's start() can wait for a thread ready to commit.
try {
  writer();
  parentPort?.postMessage({ id: 0 } satisfies CommitReply);
} catch (err) {
  parentPort?.postMessage({ id: 0, error: (err as Error).message ?? String(err) } satisfies CommitReply);
}

parentPort?.on("message", (msg: WriteBatch | "close") => {
  if (msg === "close") {
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
});
