import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Json, RoomEvent } from "@parley/protocol";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";
import { openSqliteDb, type SqliteDb } from "#server/sqlite/db.js";
import { openEmbedded } from "#server/sqlite/open-embedded.js";
import { SearchIndexer } from "#server/sqlite/search-index.js";
import { SqliteStore } from "#server/sqlite/store.js";
import { testEmbeddedConfig } from "../support/embedded-config.js";

let seq = 0;
function event(room: string, kind: string, body: Json): RoomEvent {
  seq++;
  return { room, seq, id: `e${seq}`, from: "ann", ts: 1_000 + seq, kind, body, cmid: `c${seq}` };
}

/** Room rows in the FTS5 index matching `word` (read straight from chat_search, not through a search). */
function indexed(db: SqliteDb, word: string): number {
  return (db.prepare("SELECT count(*) AS n FROM chat_search WHERE chat_search MATCH ?").get(word) as { n: number }).n;
}

function pending(db: SqliteDb): number {
  return (db.prepare("SELECT count(*) AS n FROM chat_search_pending").get() as { n: number }).n;
}

/**
 * FTS5's own check of the external-content index against chat_messages; throws when they differ.
 * Only meaningful with nothing pending (pending rows are, by design, not indexed yet).
 */
function integrityCheck(db: SqliteDb): void {
  db.prepare("INSERT INTO chat_search (chat_search, rank) VALUES ('integrity-check', 1)").run();
}

/** Runs `test` on a fresh database, then removes it. */
async function withTempDb(test: (db: SqliteDb) => void | Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "parley-search-index-"));
  const db = openSqliteDb({ dataDir: dir, durability: "normal" });
  try {
    await test(db);
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(what: string, ok: () => boolean, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("search index after the commit", () => {
  it("a commit leaves new messages pending; catchUp indexes them all in one go", () =>
    withTempDb((db) => {
      sqliteCommitter(db)(batchOfEvents([event("r1", "message", { text: "alpha one" })], "ep"));
      assert.equal(pending(db), 1);
      assert.equal(indexed(db, "alpha"), 0);
      const index = new SearchIndexer(db);
      assert.equal(index.catchUp(), 1);
      assert.equal(index.catchUp(), 0);
      assert.equal(pending(db), 0);
      assert.equal(indexed(db, "alpha"), 1);
    }));

  it("a search sees messages committed but not yet indexed", () =>
    withTempDb(async (db) => {
      const store = new SqliteStore(db);
      sqliteCommitter(db)(batchOfEvents([event("r2", "message", { text: "bravo searchable" })], "ep"));
      const hits = await store.search({ q: "bravo", user: "ann", limit: 5 });
      assert.deepEqual(
        hits.map((h) => h.room),
        ["r2"],
      );
      assert.equal(pending(db), 0);
    }));

  it("edits and deletes keep the index consistent whether their target is pending or indexed", () =>
    withTempDb(async (db) => {
      const commit = sqliteCommitter(db);
      const index = new SearchIndexer(db);
      const store = new SqliteStore(db);
      const a = event("r3", "message", { text: "charlie indexed" });
      const b = event("r3", "message", { text: "delta indexed" });
      commit(batchOfEvents([a, b], "ep"));
      index.catchUp();
      const c = event("r3", "message", { text: "echo pending" });
      const d = event("r3", "message", { text: "foxtrot pending" });
      commit(batchOfEvents([c, d], "ep"));
      // One edit and one delete on an indexed message, the same on a pending one, before any catch-up.
      commit(
        batchOfEvents(
          [
            event("r3", "edit", { target: a.seq, text: "golf edited" }),
            event("r3", "delete", { target: b.seq }),
            event("r3", "edit", { target: c.seq, text: "hotel edited" }),
            event("r3", "delete", { target: d.seq }),
          ],
          "ep",
        ),
      );
      index.catchUp();
      integrityCheck(db);
      const words = async (q: string) =>
        (await store.search({ q, user: "ann", room: "r3", limit: 5 })).map((h) => h.seq);
      assert.deepEqual(await words("golf"), [a.seq]);
      assert.deepEqual(await words("charlie"), []);
      assert.deepEqual(await words("delta"), []);
      assert.deepEqual(await words("hotel"), [c.seq]);
      assert.deepEqual(await words("echo"), []);
      assert.deepEqual(await words("foxtrot"), []);
      integrityCheck(db);
    }));

  it("the embedded log's writer indexes for a search, within the lag bound unasked, and on start what a crash left", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-search-index-"));
    const config = testEmbeddedConfig(dir);
    // A crash between a commit and its catch-up: rows pending in the file, no writer to index them.
    const first = openSqliteDb({ dataDir: dir, durability: "normal" });
    sqliteCommitter(first)(batchOfEvents([event("r4", "message", { text: "india left pending" })], "ep"));
    first.close();
    const storage = openEmbedded(config);
    try {
      await storage.log.start();
      await waitFor("the pending row indexed by the starting writer", () => indexed(storage.db, "india") === 1, 5_000);
      // A search right after the ack: the writer thread catches the index up first.
      await storage.log.append({
        room: "r5",
        cmid: "k1",
        from: "ann",
        kind: "message",
        body: { text: "juliet acked" },
      });
      const hits = await storage.store.search({ q: "juliet", user: "ann", limit: 5 });
      assert.deepEqual(
        hits.map((h) => h.room),
        ["r5"],
      );
      // Nobody searches: only the writer thread's timer indexes it (SEARCH_INDEX_LAG_MS after the commit;
      // the wait's margin is for a loaded machine's scheduling, not for the indexer).
      await storage.log.append({ room: "r5", cmid: "k2", from: "ann", kind: "message", body: { text: "kilo acked" } });
      await waitFor("the acked message indexed by the writer", () => indexed(storage.db, "kilo") === 1, 5_000);
      assert.equal(pending(storage.db), 0);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
