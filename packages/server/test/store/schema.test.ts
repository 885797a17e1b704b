import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { NOTIFY_MIGRATIONS } from "#server/notify/notify-schema.js";
import { POSTGRES_SCHEMA } from "#server/postgres/db.js";
import { SQLITE_SCHEMA } from "#server/sqlite/db.js";
import { CORE_MIGRATIONS, databaseSchema, type Migration } from "#server/store/schema.js";

const migration = (version: number, name: string): Migration => ({ version, name, up: () => [] });

describe("databaseSchema", () => {
  it("refuses a version two areas both take", () => {
    assert.throws(
      () => databaseSchema([migration(1, "core"), migration(3, "core next")], [migration(3, "dialect")]),
      /migration 3 is taken twice: "core next", "dialect"/,
    );
  });

  it("lists every area's migrations once, in version order", () => {
    const schema = databaseSchema([migration(2, "b"), migration(1, "a")], [migration(20, "c")]);
    assert.deepEqual(
      schema.map((m) => m.version),
      [1, 2, 20],
    );
  });

  it("each database's schema holds the core and notify migrations", () => {
    for (const schema of [SQLITE_SCHEMA, POSTGRES_SCHEMA]) {
      const versions = schema.map((m) => m.version);
      for (const m of [...CORE_MIGRATIONS, ...NOTIFY_MIGRATIONS]) assert.ok(versions.includes(m.version), m.name);
      assert.deepEqual(
        versions,
        [...versions].sort((a, b) => a - b),
      );
    }
  });
});
