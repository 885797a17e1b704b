/**
 * Regression (found by the cluster chaos run): two aborted transactions of one
 * transactional producer (one producer id, as a partition's sequencer keeps
 * across failovers) in one fetch response. The client library's filter kept
 * the first aborted record, so gateways delivered an event that never existed.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Consumer, Producer, ProduceAcks } from "@platformatic/kafka";
import { PartitionReader } from "./partition-reader.js";
import { createTestTopics, testBrokers, uniquePrefix } from "./test-kafka.js";

test("read_committed: every aborted transaction of one producer in a response is dropped", async () => {
  const brokers = testBrokers();
  const topic = `${uniquePrefix("abort")}events`;
  await createTestTopics(brokers, [topic], 1);
  const producer = new Producer({
    clientId: "abort-p",
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    transactionalId: `${topic}-tx`,
  });
  const consumer = new Consumer({ clientId: "abort-c", groupId: `${topic}-unjoined`, bootstrapBrokers: brokers });
  try {
    for (const [value, commit] of [
      ["A", false],
      ["B", false],
      ["C", true],
    ] as const) {
      const txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic, partition: 0, value: Buffer.from(value) }] });
      if (commit) await txn.commit();
      else await txn.abort();
    }
    const reader = new PartitionReader(consumer, topic);
    const got = (await reader.fetch(new Map([[0, 0n]]))).get(0)?.records.map((r) => r.value?.toString());
    assert.deepEqual(got, ["C"]);
  } finally {
    await producer.close();
    await consumer.close();
  }
});
