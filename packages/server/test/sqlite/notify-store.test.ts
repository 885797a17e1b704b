import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SQLITE_SCHEMA, migrate, openSqliteDb } from "#server/sqlite/db.js";
import { describeNotifyStoreContract } from "../notify/notify-store-contract.js";
import { SqliteNotifyStore } from "#server/sqlite/notify-store.js";

describeNotifyStoreContract("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "parley-notify-"));
  let db = openSqliteDb({ dataDir: dir, durability: "normal" });
  return {
    store: new SqliteNotifyStore(db),
    async reopen() {
      db.close();
      db = openSqliteDb({ dataDir: dir, durability: "normal" });
      return new SqliteNotifyStore(db);
    },
    async dispose() {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe("notify migrations", () => {
  it("keep the subscriptions saved before they were keyed by user and endpoint", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-notify-mig-"));
    const db = new Database(join(dir, "parley.db"));
    try {
      migrate(
        db,
        SQLITE_SCHEMA.filter((m) => m.version < 23),
      );
      db.prepare("INSERT INTO push_subscriptions VALUES (?, ?, ?, ?, ?)").run(
        "https://push.example/a",
        "amy",
        "BP",
        "au",
        7,
      );
      migrate(db, SQLITE_SCHEMA);
      const sub = { user: "amy", endpoint: "https://push.example/a", p256dh: "BP", auth: "au", createdAt: 7 };
      const store = new SqliteNotifyStore(db);
      assert.deepEqual(await store.pushSubscriptionsOf("amy"), [sub]);
      await store.savePushSubscription({ ...sub, user: "mallory" });
      assert.deepEqual(await store.pushSubscriptionsOf("amy"), [sub]);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
