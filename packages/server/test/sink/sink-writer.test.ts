import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import type { StoredEvent } from "#server/postgres/events.js";
import type { SinkPosition } from "#server/postgres/sink-positions.js";
import { SinkWriter, type SinkRecord } from "#server/sink/sink-writer.js";

function record(seq: number, partition: number, log: string[]): SinkRecord {
  const event = {
    room: `r${partition}`,
    seq,
    id: `i${seq}`,
    from: "a",
    ts: 1,
    kind: "message",
    body: {},
    cmid: `c${seq}`,
  };
  return {
    stored: { event: event as RoomEvent },
    topic: "events",
    partition,
    offset: BigInt(seq),
    commit: async () => void log.push(`commit ${partition}@${seq}`),
  };
}

describe("SinkWriter", () => {
  it("writes a batch with each partition's next offset, then commits the group offsets", async () => {
    const log: string[] = [];
    const target = {
      insertBatch: async (b: readonly StoredEvent[], positions: readonly SinkPosition[]) => {
        const next = positions.map((p) => `${p.topic}:${p.partition}@${p.next}`).sort();
        log.push(`write ${b.length} ${next.join(" ")}`);
        return b.length;
      },
    };
    const writer = new SinkWriter({ target, flushIntervalMs: 1000 });
    for (let i = 1; i <= 4; i++) writer.add(record(i, i % 2, log));
    await writer.flush();
    assert.deepEqual([log[0], ...log.slice(1).sort()], ["write 4 events:0@5 events:1@4", "commit 0@4", "commit 1@3"]);
  });

  it("writes positions for a batch without events, and a failed group commit neither blocks nor retries", async () => {
    const log: string[] = [];
    const target = {
      insertBatch: async (b: readonly StoredEvent[], positions: readonly SinkPosition[]) => (
        log.push(`write ${b.length} ${positions.map((p) => p.next).join(",")}`),
        b.length
      ),
    };
    const errors: string[] = [];
    const writer = new SinkWriter({ target, maxBatch: 1, onError: (_e, what) => errors.push(what) });
    const marker = { ...record(7, 0, log), stored: undefined, commit: () => Promise.reject(new Error("rebalanced")) };
    writer.add(marker);
    writer.add(record(8, 0, log));
    await writer.flush();
    assert.deepEqual(log, ["write 0 8", "write 1 9", "commit 0@8"]);
    assert.deepEqual(errors, ["commit"]);
  });

  it("splits at maxBatch and never commits before the write succeeded", async () => {
    const log: string[] = [];
    let failures = 2;
    const target = {
      insertBatch: async (b: readonly StoredEvent[]) => {
        if (failures-- > 0) throw new Error("db down");
        log.push(`write ${b.map((s) => s.event.seq).join(",")}`);
        return b.length;
      },
    };
    const errors: string[] = [];
    const writer = new SinkWriter({ target, maxBatch: 2, retryMs: 5, onError: (_e, what) => errors.push(what) });
    for (let i = 1; i <= 3; i++) writer.add(record(i, 0, log));
    await writer.flush();
    assert.deepEqual(errors, ["write", "write"]);
    assert.deepEqual(log, ["write 1,2", "commit 0@2", "write 3", "commit 0@3"]);
  });

  it("abandon drops the queue without committing", async () => {
    const log: string[] = [];
    const writer = new SinkWriter({ target: { insertBatch: async () => 0 }, flushIntervalMs: 1000 });
    writer.add(record(1, 0, log));
    writer.abandon();
    await writer.flush();
    assert.deepEqual(log, []);
  });
});
