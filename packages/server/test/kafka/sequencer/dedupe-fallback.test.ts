import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { dedupeKey } from "#server/sequencer/sequencer.js";
import {
  resolveProbes,
  type DedupeAnswer,
  type DedupeFallback,
  type DedupeProbe,
  type PendingProbe,
} from "#server/kafka/sequencer/dedupe-fallback.js";

const original: RoomEvent = { room: "a", seq: 4, id: "e4", from: "u", ts: 0, kind: "message", body: null, cmid: "c4" };
const probe = (cmid: string): PendingProbe => ({ room: "a", cmid, epoch: "e", needSeq: 8 });

/** A store whose sink has written room "a" up to throughByCall[call] (the last value repeats). */
class FakeStore implements Pick<DedupeFallback, "find"> {
  calls: DedupeProbe[][] = [];
  constructor(private readonly throughByCall: number[]) {}
  async find(probes: readonly DedupeProbe[]): Promise<DedupeAnswer> {
    const through = this.throughByCall[Math.min(this.calls.length, this.throughByCall.length - 1)]!;
    this.calls.push([...probes]);
    const found = new Map<string, RoomEvent>();
    for (const p of probes) if (p.cmid === "c4" && through >= 4) found.set(dedupeKey(p.room, p.cmid), original);
    return { found, storedThrough: new Map([["a", through]]) };
  }
}

describe("resolveProbes: a store's answer counts only once it has written the uncached seqs", () => {
  it("one round trip when the store is up to date: hits are duplicates, misses are new", async () => {
    const store = new FakeStore([10]);
    const found = await resolveProbes(store, [probe("c4"), probe("c99")], { stopped: () => false, retryMs: 1 });
    assert.deepEqual([...found], [[dedupeKey("a", "c4"), original]]);
    assert.equal(store.calls.length, 1);
  });

  it("asks again while the sink lags behind the evicted seqs", async () => {
    const store = new FakeStore([2, 5, 10]);
    const gaveUp: unknown[] = [];
    const opts = { stopped: () => false, retryMs: 1, onGiveUp: (open: unknown) => gaveUp.push(open) };
    const found = await resolveProbes(store, [probe("c4"), probe("c5")], opts);
    assert.equal(found.get(dedupeKey("a", "c4"))?.seq, 4);
    assert.equal(store.calls.length, 3);
    assert.deepEqual(
      store.calls[2]?.map((p) => p.cmid),
      ["c5"],
      "a found cmid is settled at once",
    );
    assert.deepEqual(gaveUp, []);
  });

  it("a store that stays behind past maxWaitMs: the open probes are reported and count as new", async () => {
    const gaveUp: PendingProbe[][] = [];
    const opts = {
      stopped: () => false,
      retryMs: 5,
      maxWaitMs: 50,
      onGiveUp: (o: readonly PendingProbe[]) => gaveUp.push([...o]),
    };
    const found = await resolveProbes(new FakeStore([2]), [probe("c9")], opts);
    assert.equal(found.size, 0);
    assert.deepEqual(
      gaveUp.flat().map((p) => p.cmid),
      ["c9"],
    );
  });

  it("a failing or hung store is not waited for", async () => {
    const reasons: unknown[] = [];
    const onGiveUp = (_: unknown, reason: unknown) => reasons.push(reason);
    const failing: Pick<DedupeFallback, "find"> = { find: () => Promise.reject(new Error("down")) };
    const hung: Pick<DedupeFallback, "find"> = { find: () => new Promise(() => {}) };
    assert.equal((await resolveProbes(failing, [probe("c9")], { stopped: () => false, onGiveUp })).size, 0);
    const started = Date.now();
    await resolveProbes(hung, [probe("c9")], { stopped: () => false, maxWaitMs: 50, onGiveUp });
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(
      reasons.map((r) => (r as Error).message),
      ["down", "dedupe fallback timed out"],
    );
  });

  it("gives up when the worker stops", async () => {
    let stop = false;
    const store: Pick<DedupeFallback, "find"> = {
      find: async () => ((stop = true), { found: new Map(), storedThrough: new Map() }),
    };
    await assert.rejects(resolveProbes(store, [probe("c9")], { stopped: () => stop, retryMs: 1 }), /stopped/);
  });
});
