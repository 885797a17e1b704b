/**
 * Invariant 2: an acked message is never lost. Acks are collected while
 * publishes are in flight, the server is SIGKILLed the moment the last
 * awaited ack arrives, and after a restart history and resume hold every
 * acked message with its acked seq and body, contiguous and without duplicates.
 */
import { rmSync } from "node:fs";
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { AckFrame, Json } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import {
  UNLIMITED_RATES,
  range,
  readAllHistory,
  seqs,
  serverSuite,
  subscribe,
  uniqueRoom,
} from "../support/fixtures.js";

/** Pipelines `count` publishes tagged `tag` to `room`; calls `onAck` synchronously with each ack as it arrives. */
function publishMany(
  client: RawClient,
  batch: { room: string; count: number; tag: string },
  onAck: (ack: AckFrame) => void,
): void {
  const { room, count, tag } = batch;
  for (let i = 1; i <= count; i++) {
    const body: Json = { tag, i, pad: "x".repeat(i % 50) };
    client
      .request({ t: "pub", room, cmid: `${tag}-${i}`, body })
      .then((reply) => reply.t === "ack" && onAck(reply))
      .catch(() => undefined); // in-flight publishes die with the server; only acks matter
  }
}

function bodyOf(tag: string, cmid: string): Json {
  const i = Number(cmid.slice(tag.length + 1));
  return { tag, i, pad: "x".repeat(i % 50) };
}

describe("durability across kill -9", () => {
  const suite = serverSuite({ args: UNLIMITED_RATES });
  const it = suite.it;

  it("every acked message survives SIGKILL right after its ack (all acked, then kill)", async (pool) => {
    const room = uniqueRoom("durable-all");
    const client = await pool.connect({ user: "writer" });
    const acks: AckFrame[] = [];
    const count = 300;
    const allAcked = new Promise<void>((resolve) =>
      publishMany(client, { room, count, tag: "all" }, (ack) => {
        acks.push(ack);
        if (acks.length === count) {
          // SIGKILL goes out synchronously, as soon as the last ack is in; the wait resolves once the process is gone.
          resolve(suite.server.kill9());
        }
      }),
    );
    await allAcked;
    await suite.server.restart();

    const reader = await pool.connect({ user: "reader" });
    const history = await readAllHistory(reader, room);
    assert.deepEqual(seqs(history), range(1, count));
    for (const ack of acks) {
      const event = history[ack.seq - 1]!;
      assert.equal(event.cmid, ack.cmid);
      assert.deepEqual(event.body, bodyOf("all", ack.cmid));
    }
    assert.equal(new Set(history.map((e) => e.cmid)).size, count);
  });

  it("acked messages survive SIGKILL while more publishes are still in flight", async (pool) => {
    const room = uniqueRoom("durable-inflight");
    const client = await pool.connect({ user: "writer" });
    const acks: AckFrame[] = [];
    const killAfter = 150;
    const killed = new Promise<void>((resolve) =>
      publishMany(client, { room, count: 600, tag: "mid" }, (ack) => {
        acks.push(ack);
        if (acks.length === killAfter) {
          resolve(suite.server.kill9());
        }
      }),
    );
    await killed;
    const acked = [...acks]; // acks that arrived before the socket died were sent by a live server
    assert.ok(acked.length >= killAfter);
    await suite.server.restart();

    const reader = await pool.connect({ user: "reader" });
    const history = await readAllHistory(reader, room);
    // Contiguous from 1 (unacked tail may or may not be there), no duplicate cmid.
    assert.deepEqual(seqs(history), range(1, history.length));
    assert.equal(new Set(history.map((e) => e.cmid)).size, history.length);
    assert.ok(history.length >= acked.length);
    for (const ack of acked) {
      const event = history[ack.seq - 1];
      assert.ok(event, `acked seq ${ack.seq} missing after restart (history has ${history.length})`);
      assert.equal(event.cmid, ack.cmid);
      assert.deepEqual(event.body, bodyOf("mid", ack.cmid));
    }

    // Resume from the middle gives exactly the rest, with the same epoch as before the crash.
    const sub = await pool.connect({ user: "resumer" });
    const mid = Math.floor(history.length / 2);
    const subscribed = await subscribe(sub, room, { since: mid });
    assert.equal(subscribed.recovered, true);
    assert.equal(subscribed.lastSeq, history.length);
    const replay = await sub.waitForEvents(room, history.length - mid);
    assert.deepEqual(seqs(replay), range(mid + 1, history.length));
  });

  it("many rooms in flight at the crash: every room contiguous, every acked message kept", async (pool) => {
    const rooms = [1, 2, 3, 4, 5].map(() => uniqueRoom("durable-multi"));
    const writers = await Promise.all(rooms.map((_, i) => pool.connect({ user: `writer${i}` })));
    const acks: AckFrame[] = [];
    const killed = new Promise<void>((resolve) =>
      rooms.forEach((room, i) =>
        publishMany(writers[i]!, { room, count: 200, tag: `multi${i}` }, (ack) => {
          acks.push(ack);
          if (acks.length === 400) {
            resolve(suite.server.kill9());
          }
        }),
      ),
    );
    await killed;
    const acked = [...acks];
    await suite.server.restart();

    const reader = await pool.connect({ user: "reader" });
    for (const [i, room] of rooms.entries()) {
      const history = await readAllHistory(reader, room);
      assert.deepEqual(seqs(history), range(1, history.length), room);
      assert.equal(new Set(history.map((e) => e.cmid)).size, history.length);
      for (const ack of acked.filter((a) => a.room === room)) {
        assert.equal(history[ack.seq - 1]?.cmid, ack.cmid, `${room} seq ${ack.seq}`);
        assert.deepEqual(history[ack.seq - 1]?.body, bodyOf(`multi${i}`, ack.cmid));
      }
    }
  });

  it("the room epoch survives a restart, so resume after kill -9 is recovered", async (pool) => {
    const room = uniqueRoom("durable-epoch");
    const client = await pool.connect({ user: "writer" });
    const first = await subscribe(client, room);
    await client.expect({ t: "pub", room, cmid: "epoch-1", body: 1 }, "ack");
    await suite.server.kill9();
    await suite.server.restart();
    const again = await pool.connect({ user: "writer" });
    const resumed = await subscribe(again, room, { since: 1, epoch: first.epoch });
    assert.equal(resumed.epoch, first.epoch);
    assert.equal(resumed.recovered, true);
    assert.equal(resumed.lastSeq, 1);
  });

  it("a wiped store gets a new epoch: an old position is reported not recovered, not silently reset", async (pool) => {
    const room = uniqueRoom("durable-wiped");
    const writer = await pool.connect({ user: "writer" });
    const before = await subscribe(writer, room);
    for (let i = 1; i <= 5; i++) await writer.expect({ t: "pub", room, cmid: `w-${i}`, body: i }, "ack");
    await suite.server.kill9();
    rmSync(suite.server.dataDir, { recursive: true, force: true });
    await suite.server.restart();

    const again = await pool.connect({ user: "writer" });
    await again.expect({ t: "pub", room, cmid: "new-1", body: "new" }, "ack");
    const resumed = await subscribe(again, room, { since: 5, epoch: before.epoch });
    assert.notEqual(resumed.epoch, before.epoch);
    assert.equal(resumed.recovered, false);
    assert.equal(resumed.lastSeq, 1);
    const replay = await again.waitForEvents(room, 1);
    assert.deepEqual(
      replay.map((e) => [e.seq, e.cmid]),
      [[1, "new-1"]],
    );
  });
});
