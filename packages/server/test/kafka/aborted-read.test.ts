/**
 * Regressions, both found by the cluster chaos run, for every reader of a
 * transactional topic: the gateways' and sequencers' PartitionReader and the
 * sink's group stream (committedFetches).
 * - Two aborted transactions of one producer id (a partition's sequencer keeps
 *   its id across failovers) in one response: the client library's filter kept
 *   the first aborted record, so gateways delivered an event that never existed.
 * - An abort marker with no aborted records (a sequencer fenced between
 *   AddPartitionsToTxn and Produce) after an aborted transaction: the library's
 *   filter stretched the first aborted range to that marker and dropped every
 *   committed record between. A new sequencer owner rebuilding its state from
 *   offset 0 lost those heads and its commands offset, and sequenced the same
 *   commands again at the same seqs.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Consumer, FetchIsolationLevels } from "@platformatic/kafka";
import { committedFetches } from "#server/kafka/committed-fetch.js";
import { PartitionReader } from "#server/kafka/partition-reader.js";
import {
  createTestTopics,
  produceTransactions,
  testBrokers,
  uniquePrefix,
  type PlannedTransaction,
} from "../support/test-kafka.js";

const CASES: ReadonlyArray<{ name: string; plan: PlannedTransaction[]; committed: string[] }> = [
  {
    name: "two aborted transactions of one producer",
    plan: [
      { value: "A", commit: false },
      { value: "B", commit: false },
      { value: "C", commit: true },
    ],
    committed: ["C"],
  },
  {
    name: "an aborted transaction, committed ones, then an abort marker with no records",
    plan: [
      { value: "A", commit: true },
      { value: "X", commit: false },
      { value: "B", commit: true },
      { value: "C", commit: true },
      { commit: false },
      { value: "D", commit: true },
    ],
    committed: ["A", "B", "C", "D"],
  },
];

/** Everything a PartitionReader returns from offset 0 up to the end. */
async function readAll(brokers: string[], topic: string): Promise<string[]> {
  const consumer = new Consumer({ clientId: "abort-c", groupId: `${topic}-unjoined`, bootstrapBrokers: brokers });
  try {
    const reader = new PartitionReader(consumer, topic);
    const end = (await reader.endOffsets([0])).get(0)!;
    const values: string[] = [];
    for (let at = 0n; at < end;) {
      const batch = (await reader.fetch(new Map([[0, at]]))).get(0);
      if (!batch) continue;
      values.push(...batch.records.map((r) => r.value?.toString() ?? ""));
      at = batch.next;
    }
    return values;
  } finally {
    await consumer.close();
  }
}

/** Values a filtered group stream yields from the start of `topic` until it has seen `last`. */
async function streamUntil(brokers: string[], topic: string, last: string): Promise<string[]> {
  const consumer = committedFetches(
    new Consumer({
      clientId: "abort-stream-c",
      groupId: `${topic}-sink`,
      bootstrapBrokers: brokers,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    }),
  );
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 100 });
  const values: string[] = [];
  try {
    for await (const m of stream) {
      values.push(m.value.toString());
      if (values.at(-1) === last) break;
    }
  } finally {
    await stream.close().catch(() => undefined);
    await consumer.close(true);
  }
  return values;
}

for (const { name, plan, committed } of CASES) {
  test(`read_committed, ${name}: only committed records, for PartitionReader and the group stream`, async () => {
    const brokers = testBrokers();
    const topic = `${uniquePrefix("abort")}events`;
    await createTestTopics(brokers, [topic], 1);
    await produceTransactions(topic, brokers, plan);
    assert.deepEqual(await readAll(brokers, topic), committed, "PartitionReader");
    assert.deepEqual(await streamUntil(brokers, topic, committed.at(-1)!), committed, "group stream");
  });
}
