/**
 * Invariant 1: one total order per room. Several publishers on several
 * connections publish concurrently; every subscriber sees seq 1..N with no
 * gap, and all of them see the identical sequence, which is also the history.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import {
  UNLIMITED_RATES,
  publish,
  range,
  readAllHistory,
  seqs,
  serverSuite,
  subscribe,
  toRoomEvent,
  uniqueCmid,
  uniqueRoom,
} from "../support/fixtures.js";

describe("ordering", () => {
  const suite = serverSuite({ args: UNLIMITED_RATES });
  const it = suite.it;

  it("concurrent publishers on several connections: contiguous seqs, identical for every subscriber", async (pool) => {
    const room = uniqueRoom("order");
    const subscribers = await Promise.all(["s1", "s2", "s3"].map((user) => pool.connect({ user })));
    for (const s of subscribers) assert.equal((await subscribe(s, room)).lastSeq, 0);
    const publishers = await Promise.all(["p1", "p2", "p3", "p4"].map((user) => pool.connect({ user })));
    const perPublisher = 60;
    const total = publishers.length * perPublisher;

    const acks = await Promise.all(
      publishers.flatMap((p, pi) =>
        range(1, perPublisher).map((i) =>
          publish(p, room, { pi, i, text: `p${pi}-${i}` }, `${pi}-${i}-${uniqueCmid()}`),
        ),
      ),
    );
    assert.deepEqual(
      seqs(acks).sort((a, b) => a - b),
      range(1, total),
    );
    assert.ok(acks.every((a) => a.dup === false && a.room === room));

    const streams = await Promise.all(subscribers.map((s) => s.waitForEvents(room, total, 20_000)));
    const first = streams[0]!.map(toRoomEvent);
    assert.deepEqual(seqs(first), range(1, total));
    for (const stream of streams.slice(1)) assert.deepEqual(stream.map(toRoomEvent), first);

    // Each ack names the seq its event got.
    const byCmid = new Map(first.map((e) => [e.cmid, e]));
    for (const ack of acks) assert.equal(byCmid.get(ack.cmid)?.seq, ack.seq);

    // The stored history is the same sequence.
    const history = await readAllHistory(subscribers[0]!, room);
    assert.deepEqual(history, first);
  });

  it("each event carries room, seq, id, from, ts, kind, body, cmid", async (pool) => {
    const room = uniqueRoom("order-fields");
    const [sub, pub] = await Promise.all([pool.connect({ user: "reader" }), pool.connect({ user: "writer" })]);
    await subscribe(sub!, room);
    const before = Date.now();
    const ack = await publish(pub!, room, { text: "hello", n: [1, 2, 3] }, "fields-cmid-1");
    const [event] = await sub!.waitForEvents(room, 1);
    assert.equal(event!.t, "event");
    assert.equal(event!.room, room);
    assert.equal(event!.seq, 1);
    assert.equal(ack.seq, 1);
    assert.equal(event!.cmid, "fields-cmid-1");
    assert.equal(event!.from, "writer");
    assert.equal(event!.kind, "message");
    assert.deepEqual(event!.body, { text: "hello", n: [1, 2, 3] });
    assert.equal(typeof event!.id, "string");
    assert.ok(event!.id.length > 0);
    assert.ok(event!.ts >= before - 5_000 && event!.ts <= Date.now() + 5_000, `ts ${event!.ts} near now`);
    assert.equal(ack.ts, event!.ts);
    // Unique event ids across a room.
    await publish(pub!, room, "second");
    const events = await sub!.waitForEvents(room, 2);
    assert.notEqual(events[0]!.id, events[1]!.id);
  });
});
