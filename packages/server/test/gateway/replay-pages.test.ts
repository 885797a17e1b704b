import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { ReplayPages } from "#server/gateway/replay-pages.js";

const event = (room: string, seq: number): RoomEvent => ({
  room,
  seq,
  id: `e${seq}`,
  from: "u",
  ts: 1,
  kind: "message",
  body: { text: "x".repeat(50) },
  cmid: `c${seq}`,
});

/** A reader over `count` events per room that counts its calls. */
function reader(count: number) {
  const calls: string[] = [];
  const read = async (room: string, after: number, limit: number) => {
    calls.push(`${room}:${after}`);
    const out: RoomEvent[] = [];
    for (let seq = after + 1; seq <= Math.min(count, after + limit); seq++) out.push(event(room, seq));
    return out;
  };
  return { calls, read };
}

describe("ReplayPages", () => {
  it("reads and encodes a page once for concurrent and later callers, as one batch", async () => {
    const { calls, read } = reader(10);
    const pages = new ReplayPages(read, { ttlMs: 60_000, maxBytes: 1 << 20 });
    const [a, b] = await Promise.all([pages.get("r", "E", 3, 100), pages.get("r", "E", 3, 100)]);
    const c = await pages.get("r", "E", 3, 100);
    assert.equal(a, b);
    assert.equal(a, c);
    assert.deepEqual(calls, ["r:3"]);
    assert.deepEqual(
      a.events.map((e) => e.seq),
      [4, 5, 6, 7, 8, 9, 10],
    );
    assert.deepEqual(
      a.batch?.texts().map((t) => (JSON.parse(t) as { seq: number }).seq),
      [4, 5, 6, 7, 8, 9, 10],
    );
    const single = a.frames.map((f) => f.wsFrame());
    assert.deepEqual(a.batch?.wsFrame(), Buffer.concat(single), "the batch is the frames' bytes in order");
    assert.ok(pages.heldBytes > 0);
  });

  it("keys by epoch and position, and reads afresh after invalidate or expiry", async () => {
    const { calls, read } = reader(5);
    let now = 1_000;
    const realNow = Date.now;
    Date.now = () => now;
    try {
      const pages = new ReplayPages(read, { ttlMs: 100, maxBytes: 1 << 20 });
      await pages.get("r", "E", 0, 10);
      await pages.get("r", "F", 0, 10);
      await pages.get("r", "E", 2, 10);
      pages.invalidate("r");
      assert.equal(pages.heldBytes, 0);
      await pages.get("r", "E", 0, 10);
      now += 101;
      await pages.get("r", "E", 0, 10);
      assert.deepEqual(calls, ["r:0", "r:0", "r:2", "r:0", "r:0"]);
    } finally {
      Date.now = realNow;
    }
  });

  it("holds at most maxBytes, dropping the oldest pages first", async () => {
    const { calls, read } = reader(5);
    const pages = new ReplayPages(read, { ttlMs: 60_000, maxBytes: 1_000 });
    for (let room = 0; room < 10; room++) await pages.get(`r${room}`, "E", 0, 10);
    assert.ok(pages.heldBytes <= 1_000, `held ${pages.heldBytes}`);
    await pages.get("r9", "E", 0, 10);
    await pages.get("r0", "E", 0, 10);
    assert.equal(calls.length, 11, "r9 still cached, r0 evicted");
  });

  it("forgets a failed read so the next caller retries", async () => {
    let fail = true;
    const pages = new ReplayPages(
      async () => {
        if (fail) throw new Error("disk");
        return [event("r", 1)];
      },
      { ttlMs: 60_000, maxBytes: 1 << 20 },
    );
    await assert.rejects(pages.get("r", "E", 0, 10), /disk/);
    fail = false;
    assert.equal((await pages.get("r", "E", 0, 10)).events.length, 1);
  });
});
