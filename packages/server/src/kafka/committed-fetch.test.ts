/**
 * Regression (found by the cluster chaos run): the sink consumes through the
 * client's message stream, whose read_committed filter kept the first of two
 * aborted transactions of one producer, so PostgreSQL stored a zombie
 * sequencer's event. filterAbortedFetches must leave only committed records.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Consumer, FetchIsolationLevels, Producer, ProduceAcks } from "@platformatic/kafka";
import { filterAbortedFetches } from "./committed-fetch.js";
import { createTestTopics, testBrokers, uniquePrefix } from "./test-kafka.js";

/** Values a group consumer's stream yields from the start of `topic` until it has seen `last`. */
async function streamUntil(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>, topic: string, last: string) {
  const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false, maxWaitTime: 100 });
  const values: string[] = [];
  try {
    for await (const m of stream) {
      values.push(m.value.toString());
      if (values.at(-1) === last) break;
    }
  } finally {
    await stream.close().catch(() => undefined);
  }
  return values;
}

async function produce(topic: string, brokers: string[], plan: ReadonlyArray<readonly [string, boolean]>) {
  const producer = new Producer({
    clientId: "abort-stream-p",
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    transactionalId: `${topic}-tx`,
  });
  try {
    for (const [value, commit] of plan) {
      const txn = await producer.beginTransaction();
      await txn.send({ messages: [{ topic, partition: 0, value: Buffer.from(value) }] });
      if (commit) await txn.commit();
      else await txn.abort();
    }
  } finally {
    await producer.close();
  }
}

test("group stream, read_committed: every aborted transaction of one producer is dropped", async () => {
  const brokers = testBrokers();
  const topic = `${uniquePrefix("abort-stream")}events`;
  await createTestTopics(brokers, [topic], 1);
  await produce(topic, brokers, [
    ["A", false],
    ["B", true],
    ["C", false],
    ["D", false],
    ["E", true],
  ]);
  const consumer = filterAbortedFetches(
    new Consumer({
      clientId: "abort-stream-c",
      groupId: `${topic}-sink`,
      bootstrapBrokers: brokers,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    }),
  );
  try {
    assert.deepEqual(await streamUntil(consumer, topic, "E"), ["B", "E"]);
  } finally {
    await consumer.close(true);
  }
});
