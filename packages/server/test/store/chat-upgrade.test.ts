/**
 * Upgrading a database written before the chat projections (schema v1):
 * the migrations backfill event targets and the current text of chat
 * messages, and copy read positions, on SQLite and on PostgreSQL.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import pg from "pg";
import { CORE_MIGRATIONS } from "#server/store/schema.js";
import { migrate, openSqliteDb } from "#server/sqlite/db.js";
import { SqliteStore } from "#server/sqlite/store.js";
import { migratePostgres } from "#server/postgres/db.js";
import { POSTGRES_MIGRATIONS } from "#server/postgres/dialect.js";
import { PostgresStore } from "#server/postgres/store.js";
import { dropSchema, openTestDb, testPostgresUrl, uniqueSchema } from "../support/postgres-test-db.js";
import type { Store } from "#server/store/store.js";

const V1_ROWS = [
  `INSERT INTO rooms (id, type, name, created_by, created_at) VALUES ('old', 'public', 'Old', 'ann', 1)`,
  `INSERT INTO members (room, user_id, joined_at, last_read_seq) VALUES ('old', 'ann', 1, 0), ('old', 'bob', 1, 3)`,
  `INSERT INTO room_heads (room, epoch, last_seq) VALUES ('old', 'e1', 4)`,
  `INSERT INTO events (room, seq, id, from_user, ts, kind, body, cmid) VALUES
    ('old', 1, 'i1', 'ann', 10, 'message', '{"text":"hello upgraded world"}', 'c1'),
    ('old', 2, 'i2', 'ann', 11, 'edit', '{"target":1,"text":"hello again"}', 'c2'),
    ('old', 3, 'i3', 'bob', 12, 'message', '{"text":"a reply","replyTo":1}', 'c3'),
    ('old', 4, 'i4', 'bob', 13, 'message', '"not chat"', 'c4'),
    ('nul', 1, 'n1', 'bob', 14, 'message', '{"text":"a\\u0000b upgraded"}', 'n1')`,
];

async function expectUpgraded(store: Store): Promise<void> {
  const hits = await store.search({ q: "upgraded world", user: "bob", limit: 5 });
  assert.deepEqual(
    hits.map((h) => [h.room, h.seq]),
    [["old", 1]],
  );
  assert.deepEqual(
    (await store.editsOf("old", 1, 5)).map((e) => e.seq),
    [2],
  );
  assert.deepEqual(
    (await store.thread("old", 1, 0, 5)).replies.map((e) => e.seq),
    [3],
  );
  assert.equal((await store.listMembers("old")).find((m) => m.user === "bob")?.lastReadSeq, 3);
  const bob = (await store.unread("bob")).find((r) => r.room === "old");
  assert.deepEqual(bob, { room: "old", lastRead: 3, lastSeq: 4, unread: 0, mentions: 0 });
}

describe("chat projections on an upgraded database", () => {
  it("SQLite: v1 rows are backfilled", async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-upgrade-"));
    try {
      const old = new Database(join(dir, "parley.db"));
      migrate(old, CORE_MIGRATIONS.slice(0, 1));
      for (const sql of V1_ROWS) old.exec(sql);
      old.close();
      const db = openSqliteDb({ dataDir: dir, durability: "normal" });
      await expectUpgraded(new SqliteStore(db));
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL: v1 rows are backfilled", async () => {
    const schema = uniqueSchema("upgrade");
    const pool = new pg.Pool({ connectionString: testPostgresUrl(), options: `-c search_path=${schema}` });
    try {
      await migratePostgres(pool, schema, [CORE_MIGRATIONS[0]!, POSTGRES_MIGRATIONS[0]!]);
      for (const sql of V1_ROWS) await pool.query(sql);
    } finally {
      await pool.end();
    }
    const db = await openTestDb(schema);
    try {
      await expectUpgraded(new PostgresStore(db.pool));
    } finally {
      await db.close();
      await dropSchema(schema);
    }
  });
});
