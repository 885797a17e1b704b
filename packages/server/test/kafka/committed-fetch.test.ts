import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dropAborted, IS_CONTROL } from "#server/kafka/committed-fetch.js";

type Partition = Parameters<typeof dropAborted>[0];

/** A fetch-response batch: `producerId`, offsets `first..first+count-1`, control or data. */
const batch = (producerId: bigint, first: bigint, count = 1, control = false) => ({
  producerId,
  firstOffset: first,
  lastOffsetDelta: count - 1,
  attributes: control ? IS_CONTROL : 0,
  records: [],
});

function partition(batches: ReturnType<typeof batch>[], aborted: { producerId: bigint; firstOffset: bigint }[]) {
  return { partitionIndex: 0, errorCode: 0, abortedTransactions: aborted, records: batches } as unknown as Partition;
}
const offsets = (batches: { firstOffset: bigint }[]) => batches.map((b) => b.firstOffset);

describe("dropAborted (every aborted transaction in a fetch response)", () => {
  it("keeps everything when nothing was aborted", () => {
    const p = partition([batch(1n, 0n), batch(2n, 1n)], []);
    assert.deepEqual(offsets(dropAborted(p)), [0n, 1n]);
  });

  it("drops an aborted range whose marker is in the response, keeping the marker", () => {
    const p = partition([batch(1n, 0n), batch(1n, 1n, 1, true), batch(2n, 2n)], [{ producerId: 1n, firstOffset: 0n }]);
    assert.deepEqual(offsets(dropAborted(p)), [1n, 2n]);
  });

  it("drops two aborted transactions of one producer and keeps its committed one (regression)", () => {
    // aborts A (0), marker 1; aborts B (2), marker 3; commits C (4), marker 5.
    const p = partition(
      [
        batch(7n, 0n),
        batch(7n, 1n, 1, true),
        batch(7n, 2n),
        batch(7n, 3n, 1, true),
        batch(7n, 4n),
        batch(7n, 5n, 1, true),
      ],
      [
        { producerId: 7n, firstOffset: 2n },
        { producerId: 7n, firstOffset: 0n },
      ],
    );
    assert.deepEqual(offsets(dropAborted(p)), [1n, 3n, 4n, 5n]);
  });

  it("drops the open aborted producer's batches from its first aborted offset on", () => {
    const p = partition(
      [batch(1n, 0n), batch(7n, 1n, 2), batch(2n, 3n), batch(7n, 4n)],
      [{ producerId: 7n, firstOffset: 1n }],
    );
    assert.deepEqual(offsets(dropAborted(p)), [0n, 3n]);
  });

  it("keeps the producer's batches before the aborted range, and other producers' batches", () => {
    const p = partition([batch(7n, 0n), batch(7n, 5n), batch(3n, 6n)], [{ producerId: 7n, firstOffset: 5n }]);
    assert.deepEqual(offsets(dropAborted(p)), [0n, 6n]);
  });

  it("treats an abort marker of the same producer before the range as not closing it", () => {
    const p = partition([batch(7n, 0n, 1, true), batch(7n, 1n), batch(2n, 2n)], [{ producerId: 7n, firstOffset: 1n }]);
    assert.deepEqual(offsets(dropAborted(p)), [0n, 2n], "the old control batch stays, the open range goes");
  });

  it("keeps committed batches between an aborted range and a later abort marker with no records (regression)", () => {
    // aborts X (1), marker 2; commits B (3), marker 4; an abort with no records, marker 5; commits D (6).
    const p = partition(
      [
        batch(7n, 1n),
        batch(7n, 2n, 1, true),
        batch(7n, 3n),
        batch(7n, 4n, 1, true),
        batch(7n, 5n, 1, true),
        batch(7n, 6n),
      ],
      [{ producerId: 7n, firstOffset: 1n }],
    );
    assert.deepEqual(offsets(dropAborted(p)), [2n, 3n, 4n, 5n, 6n]);
  });
});
