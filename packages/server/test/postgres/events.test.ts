import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import type { PostgresDb } from "#server/postgres/db.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { PostgresStore } from "#server/postgres/store.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";

let n = 0;
function ev(room: string, seq: number, body: unknown = { text: `m${seq}` }): RoomEvent {
  return {
    room,
    seq,
    id: `id-${room}-${seq}`,
    from: "alice",
    ts: 1000 + seq,
    kind: "message",
    body,
    cmid: `c${seq}`,
  } as RoomEvent;
}

describe("PostgresEvents", () => {
  const schema = uniqueSchema("events");
  let db: PostgresDb;
  let events: PostgresEvents;
  const room = () => `room-${++n}`;
  before(async () => {
    db = await openTestDb(schema);
    events = new PostgresEvents(db.pool);
  });
  after(async () => {
    await db.close();
    await dropSchema(schema);
  });

  it("inserts a batch once: a replayed batch adds nothing", async () => {
    const r = room();
    const batch = [1, 2, 3].map((s) => ({ event: ev(r, s), epoch: "e1" }));
    assert.equal(await events.insertBatch(batch), 3);
    assert.equal(await events.insertBatch([...batch, { event: ev(r, 4), epoch: "e1" }]), 1);
    assert.deepEqual(
      (await events.readAfter(r, 0, 10)).map((e) => e.seq),
      [1, 2, 3, 4],
    );
    assert.deepEqual(await events.head(r), { epoch: "e1", lastSeq: 4 });
  });

  it("round-trips bodies and reads pages both ways", async () => {
    const r = room();
    const body = { text: "héllo ✓", nested: { a: [1, null, true] } };
    await events.insertBatch([1, 2, 3, 4, 5].map((s) => ({ event: ev(r, s, body) })));
    const page = await events.readBefore(r, 5, 2);
    assert.deepEqual(page, [ev(r, 3, body), ev(r, 4, body)]);
    assert.deepEqual(await events.readAfter(r, 3, 100), [ev(r, 4, body), ev(r, 5, body)]);
    assert.equal(await events.maxSeq(r), 5);
    assert.equal(await events.head(r), undefined, "no epoch given, no head written");
  });

  it("a new epoch drops the room's stale rows and restarts its head", async () => {
    const r = room();
    await events.insertBatch([1, 2, 3].map((s) => ({ event: ev(r, s), epoch: "old" })));
    await events.insertBatch([{ event: { ...ev(r, 1), id: "new-1", cmid: "n1" }, epoch: "new" }]);
    assert.deepEqual(
      (await events.readAfter(r, 0, 10)).map((e) => e.id),
      ["new-1"],
    );
    assert.deepEqual(await events.head(r), { epoch: "new", lastSeq: 1 });
  });

  it("projections survive a replay: a replayed message is not revived, a replayed edit not re-applied", async () => {
    const r = room();
    const store = new PostgresStore(db.pool);
    const chat = (seq: number, kind: string, body: unknown) => ({ event: { ...ev(r, seq, body), kind }, epoch: "e1" });
    const first = [chat(1, "message", { text: "findme original" }), chat(2, "edit", { target: 1, text: "findme v2" })];
    const second = [chat(3, "edit", { target: 1, text: "findme v3" })];
    await events.insertBatch(first);
    await events.insertBatch(second);
    await events.insertBatch([...first, ...second]); // the sink replays after a crash
    const texts = async () => (await store.search({ q: "findme", user: "bob", room: r, limit: 5 })).map((h) => h.text);
    assert.deepEqual(await texts(), ["findme v3"]);
    const deleted = [chat(4, "delete", { target: 1 })];
    await events.insertBatch(deleted);
    await events.insertBatch([...first, ...second, ...deleted]);
    assert.deepEqual(await texts(), []);
    assert.deepEqual(
      (await events.readAfter(r, 0, 10)).map((e) => e.body),
      [{ deleted: true }, { deleted: true }, { deleted: true }, { target: 1 }],
    );
  });

  it("an edit sequenced after its target's delete is stored as the tombstone, in a later batch or the same one", async () => {
    const r = room();
    const chat = (seq: number, kind: string, body: unknown) => ({ event: { ...ev(r, seq, body), kind }, epoch: "e1" });
    await events.insertBatch([chat(1, "message", { text: "a" }), chat(2, "message", { text: "b" })]);
    await events.insertBatch([chat(3, "delete", { target: 1 }), chat(4, "delete", { target: 2 })]);
    // Regression (cluster chaos run): the PostgreSQL step bound the edit's target and seq the wrong way round.
    await events.insertBatch([chat(5, "edit", { target: 1, text: "late a" })]);
    await events.insertBatch([chat(6, "message", { text: "c" }), chat(7, "delete", { target: 6 })]);
    await events.insertBatch([
      chat(8, "edit", { target: 6, text: "late c" }),
      chat(9, "edit", { target: 2, text: "b2" }),
    ]);
    assert.deepEqual(
      (await events.readAfter(r, 4, 10)).map((e) => [e.seq, e.body]),
      [
        [5, { deleted: true }],
        [6, { deleted: true }],
        [7, { target: 6 }],
        [8, { deleted: true }],
        [9, { deleted: true }],
      ],
    );
  });
});
