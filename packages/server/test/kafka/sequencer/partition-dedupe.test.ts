import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { PartitionDedupe } from "#server/kafka/sequencer/partition-dedupe.js";

const HOUR = 3_600_000;

function event(room: string, seq: number): RoomEvent {
  return { room, seq, id: `${room}-${seq}`, from: "u", ts: 0, kind: "message", body: null, cmid: `c${seq}` };
}

describe("PartitionDedupe: knows where it is incomplete", () => {
  it("is complete while nothing young was evicted: a miss is a new cmid, no fallback", () => {
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 10 });
    for (let s = 1; s <= 10; s++) cache.add(event("a", s), 1000, BigInt(s));
    assert.equal(cache.get("a", "c3", 1000)?.seq, 3);
    assert.equal(cache.incomplete("a", 1000), undefined);
  });

  it("an eviction by count makes that room (only) incomplete, up to the evicted seq", () => {
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 10 });
    cache.add(event("b", 1), 0, 0n);
    for (let s = 1; s <= 12; s++) cache.add(event("a", s), 1000 + s, BigInt(s));
    assert.equal(cache.size, 10);
    assert.equal(cache.get("a", "c2", 2000), undefined, "evicted");
    assert.deepEqual(cache.incomplete("a", 2000), { seq: 2, until: 1002 + HOUR });
    assert.deepEqual(cache.incomplete("b", 2000), { seq: 1, until: HOUR });
    assert.equal(cache.incomplete("c", 2000), undefined, "a room never evicted");
  });

  it("becomes complete again once the evicted events leave the window", () => {
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 2 });
    for (let s = 1; s <= 3; s++) cache.add(event("a", s), s, BigInt(s));
    assert.ok(cache.incomplete("a", 1 + HOUR));
    assert.equal(cache.incomplete("a", 2 + HOUR), undefined);
  });

  it("an eviction by age is past the window: the room stays complete", () => {
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 10 });
    cache.add(event("a", 1), 0, 0n);
    cache.add(event("a", 2), 2 * HOUR, 1n);
    assert.equal(cache.get("a", "c1", 2 * HOUR), undefined);
    assert.equal(cache.size, 1);
    assert.equal(cache.incomplete("a", 2 * HOUR), undefined);
  });

  it("markUncached (a rebuild cut by the count bound) keeps the widest gap", () => {
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 10 });
    cache.markUncached("a", 0, 5000);
    assert.equal(cache.incomplete("a", 0), undefined, "seq 0: nothing skipped");
    cache.markUncached("a", 7, 5000);
    cache.markUncached("a", 3, 9000);
    assert.deepEqual(cache.incomplete("a", 0), { seq: 7, until: 9000 });
  });

  it("with a sink watermark, keeps entries the sink has not written past the count bound", () => {
    let sunk = 0n;
    const cache = new PartitionDedupe({ windowMs: HOUR, maxEntries: 3, sunk: () => sunk });
    for (let s = 1; s <= 6; s++) cache.add(event("a", s), s, BigInt(s - 1));
    assert.equal(cache.size, 6, "nothing written by the sink: nothing evicted");
    assert.equal(cache.get("a", "c1", 10)?.seq, 1);
    assert.equal(cache.incomplete("a", 10), undefined);
    sunk = 2n; // offsets 0 and 1 (seqs 1 and 2) are in PostgreSQL
    cache.add(event("a", 7), 7, 6n);
    assert.equal(cache.size, 5);
    assert.equal(cache.get("a", "c2", 10), undefined);
    assert.deepEqual(cache.incomplete("a", 10), { seq: 2, until: 2 + HOUR });
  });
});
