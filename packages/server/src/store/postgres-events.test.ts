import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import type { PostgresDb } from "./postgres-db.js";
import { PostgresEvents } from "./postgres-events.js";
import { dropSchema, openTestDb, uniqueSchema } from "./postgres-test-db.js";

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
});
