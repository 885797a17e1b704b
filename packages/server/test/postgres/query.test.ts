import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import type { PostgresDb } from "#server/postgres/db.js";
import { guardPg, inTransaction, rowsOn, statementsOn } from "#server/postgres/query.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";

describe("PostgreSQL queries", () => {
  const schema = uniqueSchema("query");
  let db: PostgresDb;
  before(async () => {
    db = await openTestDb(schema);
    await db.pool.query("CREATE TABLE probe (n INT PRIMARY KEY)");
  });
  after(async () => {
    await db.close();
    await dropSchema(schema);
  });

  it("a failing statement is UNAVAILABLE naming the component, the driver's error its cause; a ParleyError passes through", async () => {
    await assert.rejects(statementsOn(db.pool, "probe store")("SELECT * FROM no_such_table", []), (err) => {
      assert.ok(err instanceof ParleyError);
      assert.equal(err.code, "UNAVAILABLE");
      assert.equal(err.message, "probe store: PostgreSQL failed");
      // The driver's error is the cause (for the server's log), never the message (which clients see).
      assert.ok(err.cause instanceof Error);
      assert.match(err.cause.message, /no_such_table/);
      return true;
    });
    const own = new ParleyError("FORBIDDEN");
    await assert.rejects(
      guardPg("probe store", () => Promise.reject(own)),
      (err) => err === own,
    );
  });

  it("reads rows", async () => {
    const rows = await rowsOn(db.pool, "probe store")<{ n: number }>("SELECT 1 + $1::int AS n", [1]);
    assert.deepEqual(rows, [{ n: 2 }]);
  });

  it("a transaction commits when its work resolves and leaves nothing when it throws", async () => {
    await inTransaction(db.pool, (client) => client.query("INSERT INTO probe (n) VALUES (1)"));
    const boom = new Error("boom");
    await assert.rejects(
      inTransaction(db.pool, async (client) => {
        await client.query("INSERT INTO probe (n) VALUES (2)");
        throw boom;
      }),
      (err) => err === boom,
    );
    const { rows } = await db.pool.query<{ n: number }>("SELECT n FROM probe ORDER BY n");
    assert.deepEqual(rows, [{ n: 1 }]);
    assert.equal(db.pool.idleCount, db.pool.totalCount, "every connection is back in the pool");
  });
});
