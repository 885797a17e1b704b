/**
 * A partition lane handles records one at a time in offset order, retries a
 * failing record while holding the records behind it, skips a record fetched
 * again after a rebalance, and drops its queue when the partition is lost.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { PartitionLane, retryDelayMs } from "#server/bridge/partition-lane.js";
import type { SourceRecord } from "#server/bridge/record-command.js";
import { waitUntil } from "../support/wait.js";

const record = (offset: number): SourceRecord => ({
  topic: "t",
  partition: 0,
  offset: BigInt(offset),
  key: undefined,
  value: undefined,
  headers: new Map(),
});

describe("partition lane", () => {
  it("handles in offset order, one at a time, retrying a failure before the next record", async () => {
    const log: string[] = [];
    let active = 0;
    let failuresLeft = 2;
    const handled: number[] = [];
    const lane = new PartitionLane({
      handle: async (r, attempt) => {
        active++;
        assert.equal(active, 1, "one record at a time");
        await new Promise((resolve) => setImmediate(resolve));
        active--;
        log.push(`${r.offset}/${attempt}`);
        if (r.offset === 1n && failuresLeft-- > 0) throw new Error("broker away");
      },
      onHandled: (r) => handled.push(Number(r.offset)),
      onRetry: () => undefined,
    });
    for (const o of [0, 1, 2, 1, 0, 3]) lane.push(record(o)); // 1 and 0 again: a refetch after a rebalance
    await waitUntil(() => handled.length === 4, "four records handled", 10_000);
    await lane.idle();
    assert.deepEqual(handled, [0, 1, 2, 3]);
    assert.deepEqual(log, ["0/0", "1/0", "1/1", "1/2", "2/0", "3/0"]);
  });

  it("drops what is queued when stopped, finishing or abandoning only the record in hand", async () => {
    const handled: number[] = [];
    const lane = new PartitionLane({
      handle: () => Promise.reject(new Error("always")),
      onHandled: (r) => handled.push(Number(r.offset)),
      onRetry: () => undefined,
    });
    lane.push(record(0));
    lane.push(record(1));
    assert.equal(lane.backlog, 2);
    lane.stop();
    await lane.idle();
    assert.deepEqual([handled, lane.backlog], [[], 0]);
    lane.push(record(2));
    assert.equal(lane.backlog, 0, "a stopped lane takes nothing");
  });

  it("backs off from 100 ms to at most 5 s", () => {
    assert.deepEqual([0, 1, 2, 5, 6, 30].map(retryDelayMs), [100, 200, 400, 3_200, 5_000, 5_000]);
  });
});
