import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { SQLITE_SCHEMA, migrate, openSqliteDb, schemaVersion, type SqliteDb } from "#server/sqlite/db.js";
import { SqliteStore } from "#server/sqlite/store.js";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";
import { describeStoreContract } from "../store/store-contract.js";
import { CORE_MIGRATIONS } from "#server/store/schema.js";
import { withTempDir } from "../support/temp-dir.js";

describeStoreContract("SqliteStore", async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-store-"));
  let db: SqliteDb = openSqliteDb({ dataDir: dir, durability: "normal" });
  let store = new SqliteStore(db);
  await store.start();
  return {
    store,
    async reopen() {
      await store.close();
      db.close();
      db = openSqliteDb({ dataDir: dir, durability: "normal" });
      store = new SqliteStore(db);
      await store.start();
      return store;
    },
    async dispose() {
      await store.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
    async writeEvents(events) {
      sqliteCommitter(db)(batchOfEvents(events, "contract-epoch"));
    },
  };
});

describe("SqliteStore failures", () => {
  it("a driver failure is UNAVAILABLE with a readable message and the driver's error as its cause", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-store-"));
    const db = openSqliteDb({ dataDir: dir, durability: "normal" });
    const store = new SqliteStore(db);
    await store.start();
    db.close();
    try {
      await assert.rejects(store.getRoom("any"), (err: unknown) => {
        assert.ok(err instanceof ParleyError);
        assert.deepEqual([err.code, err.message], ["UNAVAILABLE", "store: SQLite failed"]);
        assert.ok(err.cause instanceof Error);
        assert.match(err.cause.message, /not open/);
        return true;
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("openSqliteDb", () => {
  const withDir = (fn: (dir: string) => void) => withTempDir("parley-db-", fn);

  it("creates the directory, uses WAL and the configured synchronous level", () => {
    withDir((dir) => {
      const full = openSqliteDb({ dataDir: join(dir, "a", "b"), durability: "full" });
      assert.equal(full.pragma("journal_mode", { simple: true }), "wal");
      assert.equal(full.pragma("synchronous", { simple: true }), 2);
      full.close();
      const normal = openSqliteDb({ dataDir: join(dir, "a", "b"), durability: "normal" });
      assert.equal(normal.pragma("synchronous", { simple: true }), 1);
      normal.close();
    });
  });

  it("rejects an unknown durability", () => {
    withDir((dir) => assert.throws(() => openSqliteDb({ dataDir: dir, durability: "fast" }), /durability/));
  });

  it("migrates once and records the version", () => {
    withDir((dir) => {
      openSqliteDb({ dataDir: dir, durability: "normal" }).close();
      const db = openSqliteDb({ dataDir: dir, durability: "normal" });
      assert.equal(schemaVersion(db), Math.max(...SQLITE_SCHEMA.map((m) => m.version)));
      db.close();
    });
  });

  it("refuses a database from a newer schema", () => {
    withDir((dir) => {
      const db = openSqliteDb({ dataDir: dir, durability: "normal" });
      db.prepare("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', 0)").run();
      assert.throws(() => migrate(db, CORE_MIGRATIONS), /newer/);
      db.close();
    });
  });
});
