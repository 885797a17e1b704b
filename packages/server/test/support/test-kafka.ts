/**
 * Test support for every test that needs Kafka (kafka/, cluster/, sink/):
 * the shared test broker from PARLEY_TEST_KAFKA, topic prefixes no other
 * test uses, cleanup, and a private broker for tests that must disrupt one
 * (restart it) without disturbing the other test files. Tests never skip
 * when Kafka is missing: they fail with how to start it.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Admin, Producer, ProduceAcks } from "@platformatic/kafka";
import { partitionFor, type KafkaClusterOptions } from "#server/kafka/topics.js";

/** The test broker from PARLEY_TEST_KAFKA as a broker list; throws (the test fails, never skips) when it is not set. */
export function testBrokers(): string[] {
  const value = process.env.PARLEY_TEST_KAFKA;
  if (!value) {
    throw new Error(
      "PARLEY_TEST_KAFKA is not set. Start a throwaway broker with\n" +
        "  export PARLEY_TEST_KAFKA=$(bash scripts/kafka/start.sh)\n" +
        "(stop it with bash scripts/kafka/stop.sh), or run the whole suite with npm test.",
    );
  }
  return value.split(",").map((s) => s.trim());
}

/** A topic prefix no other test uses, so tests share one broker without seeing each other's records. */
export function uniquePrefix(tag: string): string {
  return `t.${tag}.${process.pid}.${randomUUID().slice(0, 8)}.`;
}

/** `perPartition` room names (starting with `tag`) on each of `partitions` partitions, so a test's traffic covers every partition. */
export function roomsOnEveryPartition(tag: string, partitions: number, perPartition = 1): string[] {
  const byPartition = Array.from({ length: partitions }, () => [] as string[]);
  for (let i = 0; byPartition.some((r) => r.length < perPartition); i++) {
    const list = byPartition[partitionFor(`${tag}-${i}`, partitions)]!;
    if (list.length < perPartition) list.push(`${tag}-${i}`);
  }
  return byPartition.flat();
}

/** Cluster options on a topic prefix no other test uses. */
export function testCluster(label: string, partitions = 4, brokers = testBrokers()): KafkaClusterOptions {
  return { brokers, topicPrefix: uniquePrefix(label), partitions, replication: 1, clientId: `parley-test-${label}` };
}

/** Creates topics (idempotently) with `partitions` partitions and replication 1. */
export async function createTestTopics(brokers: string[], topics: string[], partitions: number): Promise<void> {
  const admin = new Admin({ clientId: "parley-test-admin", bootstrapBrokers: brokers });
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0) await admin.createTopics({ topics: missing, partitions, replicas: 1 });
  } finally {
    await admin.close();
  }
}

/** One transaction of {@link produceTransactions}: a value on partition 0, or none (the partition only added). */
export interface PlannedTransaction {
  readonly value?: string;
  readonly commit: boolean;
}

/**
 * Runs `plan` as transactions of one transactional producer on partition 0
 * of `topic`. A step without a value adds the partition and writes nothing,
 * so its abort leaves a marker with no aborted records, as a sequencer fenced
 * between AddPartitionsToTxn and Produce does.
 */
export async function produceTransactions(topic: string, brokers: string[], plan: readonly PlannedTransaction[]) {
  const producer = new Producer({
    clientId: "parley-test-txn",
    bootstrapBrokers: brokers,
    idempotent: true,
    acks: ProduceAcks.ALL,
    transactionalId: `${topic}-tx`,
  });
  try {
    for (const step of plan) {
      const txn = await producer.beginTransaction();
      if (step.value === undefined)
        await txn.addPartitions(await producer.metadata({ topics: [topic] }), [
          { topic, partition: 0, value: Buffer.alloc(0) },
        ]);
      else await txn.send({ messages: [{ topic, partition: 0, value: Buffer.from(step.value) }] });
      if (step.commit) await txn.commit();
      else await txn.abort();
    }
  } finally {
    await producer.close();
  }
}

/** Deletes a test's topics (best effort). */
export async function deleteTestTopics(cluster: KafkaClusterOptions): Promise<void> {
  const admin = new Admin({ clientId: "parley-test-cleanup", bootstrapBrokers: [...cluster.brokers] });
  try {
    // Every topic of the prefix: the three of topics.ts, and routing's backchannel and per-gateway topics.
    const prefix = cluster.topicPrefix ?? "parley.";
    const all = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (all.length > 0) await admin.deleteTopics({ topics: all });
  } catch {
    // Topics that were never created, or a broker already gone: nothing to clean.
  } finally {
    await admin.close().catch(() => {});
  }
}

const SCRIPTS = fileURLToPath(new URL("../../../../scripts/kafka/", import.meta.url));
const run = promisify(execFile);
/** Keeps start.sh from recording this broker as the developer's current one (stop.sh without DIR). */
const OWN_ENV = { ...process.env, PARLEY_KAFKA_RECORD_CURRENT: "0" };

/** A broker of the test's own (scripts/kafka/start.sh in a fresh dir), to restart at will. */
export class OwnBroker {
  private constructor(
    readonly dir: string,
    readonly bootstrap: string,
  ) {}

  /** Starts a new single-node broker; fails (never skips) when it cannot. */
  static async start(): Promise<OwnBroker> {
    const dir = mkdtempSync(join(tmpdir(), "parley-own-kafka-"));
    const { stdout } = await run("bash", [join(SCRIPTS, "start.sh"), dir], { timeout: 120_000, env: OWN_ENV });
    return new OwnBroker(dir, stdout.trim());
  }

  /** Clean shutdown, then the same broker (same data and ports) again; resolves once it answers. */
  async restart(): Promise<void> {
    await run("bash", [join(SCRIPTS, "restart.sh"), this.dir], { timeout: 120_000, env: OWN_ENV });
  }

  /** Stops the broker and deletes its data. */
  async purge(): Promise<void> {
    await run("bash", [join(SCRIPTS, "stop.sh"), this.dir, "--purge"], { timeout: 60_000 });
  }
}
