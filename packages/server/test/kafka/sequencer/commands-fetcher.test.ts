/**
 * The shared commands fetch (kafka/sequencer/commands-fetcher.ts) on a real
 * broker: every joined partition gets its own records in order, a partition
 * whose worker has not taken its last batch yet stays in the fetch (so its
 * next records do not wait out a long-poll for the others), a take cut short
 * resumes right after its last record, and a failed fetch fails its feeds.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ProduceAcks, Producer } from "@platformatic/kafka";
import { CommandsFetcher, type Taken } from "#server/kafka/sequencer/commands-fetcher.js";
import { createTestTopics, deleteTestTopics, testCluster } from "../../support/test-kafka.js";
import { waitUntil } from "../../support/wait.js";

const cleanups: (() => Promise<unknown>)[] = [];
after(async () => {
  for (const c of cleanups.reverse()) await c().catch(() => {});
});

/** Longer than any wait here may take (waitUntil gives up after 30 s): one that waited out the long-poll fails. */
const LONG_POLL_MS = 120_000;

async function setup(label: string, partitions: number, bufferRecords = 500) {
  const cluster = testCluster(label, partitions);
  const brokers = [...cluster.brokers];
  const topic = `${cluster.topicPrefix}commands`;
  await createTestTopics(brokers, [topic], partitions);
  cleanups.push(() => deleteTestTopics(cluster));
  const producer = new Producer({ clientId: "fetcher-test", bootstrapBrokers: brokers, acks: ProduceAcks.ALL });
  cleanups.push(() => producer.close());
  const produce = async (partition: number, ...values: string[]) =>
    void (await producer.send({ messages: values.map((v) => ({ topic, partition, value: Buffer.from(v) })) }));
  const fetcher = new CommandsFetcher({
    cluster,
    clientId: `fetcher-test-${label}`,
    topic,
    bufferRecords,
    maxWaitMs: LONG_POLL_MS,
  });
  cleanups.push(() => fetcher.close());
  return { fetcher, produce };
}

const values = (t: Taken) => t.records.map((r) => r.value?.toString());

test("each partition gets its own records, in order, from its start offset", async () => {
  const { fetcher, produce } = await setup("fetcher-own", 3);
  await produce(0, "a0", "a1");
  await produce(1, "b0", "b1", "b2");
  await produce(2, "c0");
  const feeds = [fetcher.join(0, 0n), fetcher.join(1, 1n), fetcher.join(2, 0n)];
  assert.deepEqual(values(await feeds[0]!.take(100)), ["a0", "a1"]);
  const b = await feeds[1]!.take(100);
  assert.deepEqual(values(b), ["b1", "b2"]);
  assert.equal(b.next, 3n);
  assert.deepEqual(values(await feeds[2]!.take(100)), ["c0"]);
});

test("a partition whose batch is not taken yet stays in the fetch: its next records end the long-poll", async () => {
  const { fetcher, produce } = await setup("fetcher-pipelined", 4);
  const [f0, f1] = [fetcher.join(0, 0n), fetcher.join(1, 0n), fetcher.join(2, 0n), fetcher.join(3, 0n)];
  await produce(1, "first");
  assert.deepEqual(values(await f1!.take(100)), ["first"]);
  // Partition 1's worker now "commits" without taking; its next records still come, each ending a long-poll.
  await produce(1, "second");
  await waitUntil(() => fetcher.lagAt(1, 1n) === 1n, "partition 1's second record fetched", 30_000);
  await produce(1, "third");
  await waitUntil(() => fetcher.lagAt(1, 1n) === 2n, "partition 1's third record fetched", 30_000);
  assert.deepEqual(values(await f1!.take(100)), ["second", "third"]);
  const waiting = f0!.take(100);
  await produce(0, "zero");
  assert.deepEqual(values(await waiting), ["zero"]);
});

test("a take cut at its maximum resumes right after its last record", async () => {
  const { fetcher, produce } = await setup("fetcher-cut", 1);
  await produce(0, "r0", "r1", "r2", "r3", "r4");
  const feed = fetcher.join(0, 0n);
  const first = await feed.take(2);
  assert.deepEqual(values(first), ["r0", "r1"]);
  assert.equal(first.next, 2n);
  const rest = await feed.take(10);
  assert.deepEqual(values(rest), ["r2", "r3", "r4"]);
  assert.equal(rest.next, 5n);
});

test("a full buffer leaves the fetch until taken; a rejoin starts over at its own offset", async () => {
  const { fetcher, produce } = await setup("fetcher-full", 1, 2);
  await produce(0, "r0", "r1", "r2");
  const feed = fetcher.join(0, 0n);
  assert.deepEqual(values(await feed.take(1)), ["r0"]);
  await produce(0, "r3");
  const taken: string[] = [];
  while (taken.length < 3) taken.push(...values(await feed.take(1)).map(String));
  assert.deepEqual(taken, ["r1", "r2", "r3"]);
  const again = fetcher.join(0, 1n);
  assert.deepEqual((await feed.take(10)).records, [], "the replaced feed is closed");
  assert.deepEqual(values(await again.take(10)), ["r1", "r2", "r3"]);
});

test("closing a feed ends its waiting take", async () => {
  const { fetcher } = await setup("fetcher-close", 2);
  const feed = fetcher.join(0, 0n);
  const waiting = feed.take(10);
  feed.close();
  assert.deepEqual((await waiting).records, []);
});

test("a fetch that fails fails the feeds in it, for good", async () => {
  const { fetcher } = await setup("fetcher-fail", 2);
  // Partition 7 does not exist: the fetch of it fails, and so does the take waiting on it.
  const missing = fetcher.join(7, 0n);
  await assert.rejects(missing.take(10), /no leader known for partitions 7/);
  await assert.rejects(missing.take(10), /no leader known for partitions 7/);
});
