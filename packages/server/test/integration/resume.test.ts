/**
 * Invariant 4: resume. A subscriber joining with `since` while publishers keep
 * publishing gets exactly since+1..latest and then live events, with no gap
 * and no duplicate, from any point of a long room.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { AckFrame } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import {
  UNLIMITED_RATES,
  publish,
  range,
  seqs,
  serverSuite,
  sleep,
  subscribe,
  uniqueRoom,
} from "../support/fixtures.js";

const FAST = [...UNLIMITED_RATES, "--durability", "normal"];

/** Publishes one message at a time until `stop()` is called; resolves with the acks. */
function keepPublishing(client: RawClient, room: string, tag: string): { stop: () => Promise<AckFrame[]> } {
  let running = true;
  const acks: AckFrame[] = [];
  const loop = (async () => {
    for (let i = 0; running; i++) acks.push(await publish(client, room, { tag, i }, `${tag}-${i}`));
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return acks;
    },
  };
}

/** Pipelines `count` publishes in batches so the room gets long quickly. */
async function fill(client: RawClient, room: string, count: number, batch = 500): Promise<void> {
  for (let start = 1; start <= count; start += batch) {
    const end = Math.min(count, start + batch - 1);
    await Promise.all(range(start, end).map((i) => publish(client, room, { i }, `fill-${i}`)));
  }
}

describe("resume", () => {
  const suite = serverSuite({ args: FAST });
  const it = suite.it;

  it("subscribe with since=N during concurrent publishing: exactly N+1.. then live, no gap, no dup", async (pool) => {
    const room = uniqueRoom("resume-race");
    const writers = await Promise.all(["w1", "w2", "w3"].map((user) => pool.connect({ user })));
    await fill(writers[0]!, room, 200);
    const publishers = writers.map((w, i) => keepPublishing(w, room, `live${i}`));
    await sleep(100);

    // Several resumers at different points, while the room is moving.
    const points = [0, 1, 57, 150, 200];
    const resumers = await Promise.all(points.map((_, i) => pool.connect({ user: `r${i}` })));
    const subscribed = await Promise.all(resumers.map((r, i) => subscribe(r, room, { since: points[i]! })));
    await sleep(300);
    const acks = (await Promise.all(publishers.map((p) => p.stop()))).flat();
    const latest = 200 + acks.length;
    assert.deepEqual(
      seqs(acks).sort((a, b) => a - b),
      range(201, latest),
    );

    for (const [i, r] of resumers.entries()) {
      const since = points[i]!;
      assert.equal(subscribed[i]!.recovered, true);
      assert.ok(subscribed[i]!.lastSeq >= 200, `lastSeq ${subscribed[i]!.lastSeq}`);
      const events = await r.waitForEvents(room, latest - since, 20_000);
      assert.deepEqual(seqs(events), range(since + 1, latest), `resumer since=${since}`);
    }
    await sleep(200);
    for (const [i, r] of resumers.entries()) assert.equal(r.events(room).length, latest - points[i]!);
  });

  it("since = latest replays nothing and then delivers live events", async (pool) => {
    const room = uniqueRoom("resume-head");
    const writer = await pool.connect({ user: "w" });
    await fill(writer, room, 10);
    const reader = await pool.connect({ user: "r" });
    const subscribed = await subscribe(reader, room, { since: 10 });
    assert.equal(subscribed.lastSeq, 10);
    assert.equal(subscribed.recovered, true);
    await publish(writer, room, "live", "head-live");
    const events = await reader.waitForEvents(room, 1);
    assert.deepEqual(seqs(events), [11]);
  });

  it("resume from seq 0 of a long room (thousands of events), with live events arriving meanwhile", async (pool) => {
    const room = uniqueRoom("resume-long");
    const writer = await pool.connect({ user: "w" });
    const total = 4000;
    await fill(writer, room, total);
    const live = keepPublishing(await pool.connect({ user: "w2" }), room, "tail");
    const reader = await pool.connect({ user: "r" });
    const subscribed = await subscribe(reader, room, { since: 0 });
    assert.equal(subscribed.recovered, true);
    await sleep(200);
    const tail = await live.stop();
    const latest = total + tail.length;
    const events = await reader.waitForEvents(room, latest, 60_000);
    assert.deepEqual(seqs(events), range(1, latest));
    assert.deepEqual(events[0]!.body, { i: 1 });
    assert.deepEqual(events[total - 1]!.body, { i: total });
  });

  it("a subscriber that disconnects, misses events, and resumes gets exactly the missed ones", async (pool) => {
    const room = uniqueRoom("resume-gap");
    const writer = await pool.connect({ user: "w" });
    const first = await pool.connect({ user: "r" });
    const sub1 = await subscribe(first, room);
    await fill(writer, room, 20);
    const seen = await first.waitForEvents(room, 20);
    first.terminate();
    for (let i = 21; i <= 35; i++) await publish(writer, room, { i }, `gap-${i}`);
    const second = await pool.connect({ user: "r" });
    const sub2 = await subscribe(second, room, { since: seen.at(-1)!.seq, epoch: sub1.epoch });
    assert.equal(sub2.recovered, true);
    assert.equal(sub2.epoch, sub1.epoch);
    await publish(writer, room, { i: 36 }, "gap-36");
    const resumed = await second.waitForEvents(room, 16);
    assert.deepEqual(seqs(resumed), range(21, 36));
  });

  it("an unknown epoch or a since beyond the head: recovered false and the current epoch replayed from 1", async (pool) => {
    const room = uniqueRoom("resume-epoch");
    const writer = await pool.connect({ user: "w" });
    await fill(writer, room, 3);
    // The position belongs to a stream that no longer exists: the whole current epoch is replayed.
    const r1 = await pool.connect({ user: "r1" });
    const wrongEpoch = await subscribe(r1, room, { since: 2, epoch: "not-this-epoch" });
    assert.equal(wrongEpoch.recovered, false);
    assert.notEqual(wrongEpoch.epoch, "not-this-epoch");
    assert.deepEqual(seqs(await r1.waitForEvents(room, 3)), [1, 2, 3]);
    // A since beyond the head means the stream was reset without the client knowing the epoch: same remedy.
    const r2 = await pool.connect({ user: "r2" });
    const ahead = await subscribe(r2, room, { since: 99 });
    assert.equal(ahead.recovered, false);
    assert.equal(ahead.lastSeq, 3);
    assert.deepEqual(seqs(await r2.waitForEvents(room, 3)), [1, 2, 3]);
    await publish(writer, room, "live", "epoch-live");
    await r1.waitForEvents(room, 4);
    await r2.waitForEvents(room, 4);
    await sleep(100);
    assert.deepEqual(seqs(r1.events(room)), [1, 2, 3, 4]);
    assert.deepEqual(seqs(r2.events(room)), [1, 2, 3, 4]);
  });
});
