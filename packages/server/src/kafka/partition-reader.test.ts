import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dropOpenAborted } from "./partition-reader.js";

const CONTROL = 0x20;
type Partition = Parameters<typeof dropOpenAborted>[0];

/** A fetch-response batch: `producerId`, offsets `first..first+count-1`, control or data. */
const batch = (producerId: bigint, first: bigint, count = 1, control = false) => ({
  producerId,
  firstOffset: first,
  lastOffsetDelta: count - 1,
  attributes: control ? CONTROL : 0,
  records: [],
});

function partition(batches: ReturnType<typeof batch>[], aborted: { producerId: bigint; firstOffset: bigint }[]) {
  return { partitionIndex: 0, errorCode: 0, abortedTransactions: aborted, records: batches } as unknown as Partition;
}
const offsets = (batches: { firstOffset: bigint }[]) => batches.map((b) => b.firstOffset);

describe("dropOpenAborted (aborted transactions whose marker is not in the response)", () => {
  it("keeps everything when nothing was aborted", () => {
    const p = partition([batch(1n, 0n), batch(2n, 1n)], []);
    assert.deepEqual(offsets(dropOpenAborted(p)), [0n, 1n]);
  });

  it("leaves an aborted range whose marker is in the response to the client (closed range)", () => {
    const p = partition([batch(1n, 0n), batch(1n, 1n, 1, true), batch(2n, 2n)], [{ producerId: 1n, firstOffset: 0n }]);
    assert.deepEqual(offsets(dropOpenAborted(p)), [0n, 1n, 2n]);
  });

  it("drops the open aborted producer's batches from its first aborted offset on", () => {
    const p = partition(
      [batch(1n, 0n), batch(7n, 1n, 2), batch(2n, 3n), batch(7n, 4n)],
      [{ producerId: 7n, firstOffset: 1n }],
    );
    assert.deepEqual(offsets(dropOpenAborted(p)), [0n, 3n]);
  });

  it("keeps the producer's batches before the aborted range, and other producers' batches", () => {
    const p = partition([batch(7n, 0n), batch(7n, 5n), batch(3n, 6n)], [{ producerId: 7n, firstOffset: 5n }]);
    assert.deepEqual(offsets(dropOpenAborted(p)), [0n, 6n]);
  });

  it("treats an abort marker of the same producer before the range as not closing it", () => {
    const p = partition([batch(7n, 0n, 1, true), batch(7n, 1n), batch(2n, 2n)], [{ producerId: 7n, firstOffset: 1n }]);
    assert.deepEqual(offsets(dropOpenAborted(p)), [0n, 2n], "the old control batch stays, the open range goes");
  });
});
