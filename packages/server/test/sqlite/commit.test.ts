import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dmRoomId, type RoomEvent } from "@parley/protocol";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";
import { openSqliteDb, type SqliteDb } from "#server/sqlite/db.js";
import { withTempDir } from "../support/temp-dir.js";

let n = 0;
function message(room: string, seq: number, from: string): RoomEvent {
  n++;
  return { room, seq, id: `e${n}`, from, ts: 1_000 + n, kind: "message", body: { text: `hello ${n}` }, cmid: `c${n}` };
}

function positions(db: SqliteDb, room: string): { user_id: string; up_to: number }[] {
  return db.prepare("SELECT user_id, up_to FROM read_positions WHERE room = ? ORDER BY user_id").all(room) as never;
}

const withDir = (fn: (dir: string) => void) => withTempDir("parley-commit-", fn);

describe("sqliteCommitter: a DM's read positions", () => {
  const dm = dmRoomId("amy", "bob");

  it("both users get one with the first message and keep what receipts raised it to", () =>
    withDir((dir) => {
      const db = openSqliteDb({ dataDir: dir, durability: "normal" });
      const commit = sqliteCommitter(db);
      commit(batchOfEvents([message(dm, 1, "amy")], "ep"));
      assert.deepEqual(positions(db, dm), [
        { user_id: "amy", up_to: 0 },
        { user_id: "bob", up_to: 0 },
      ]);
      const receipt: RoomEvent = { ...message(dm, 2, "bob"), kind: "receipt", body: { upTo: 1 } };
      commit(batchOfEvents([receipt, message(dm, 3, "amy")], "ep"));
      assert.deepEqual(positions(db, dm), [
        { user_id: "amy", up_to: 0 },
        { user_id: "bob", up_to: 1 },
      ]);
      db.close();
    }));

  it("a rolled back batch is not remembered: the DM's next commit still writes them", () =>
    withDir((dir) => {
      const db = openSqliteDb({ dataDir: dir, durability: "normal" });
      const commit = sqliteCommitter(db);
      commit(batchOfEvents([message("general", 1, "amy")], "ep"));
      // seq 1 of "general" again violates the primary key after the DM's rows were written: all of it rolls back.
      const failing = batchOfEvents([message(dm, 1, "amy"), message("general", 1, "amy")], "ep");
      assert.throws(() => commit(failing), /UNIQUE|PRIMARY/);
      assert.deepEqual(positions(db, dm), []);
      commit(batchOfEvents([message(dm, 1, "amy")], "ep"));
      assert.deepEqual(positions(db, dm), [
        { user_id: "amy", up_to: 0 },
        { user_id: "bob", up_to: 0 },
      ]);
      db.close();
    }));
});
