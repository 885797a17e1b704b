/**
 * Test helper: the Kafka broker for tests, from PARLEY_TEST_KAFKA. Cluster
 * tests never skip when it is missing: they fail with how to start one.
 */
import { randomUUID } from "node:crypto";
import { Admin } from "@platformatic/kafka";

/** PARLEY_TEST_KAFKA as a broker list, or an error explaining how to get one. */
export function testKafkaBrokers(): string[] {
  const raw = process.env.PARLEY_TEST_KAFKA;
  if (!raw) {
    throw new Error(
      "PARLEY_TEST_KAFKA is not set. Start a throwaway broker with\n" +
        "  export PARLEY_TEST_KAFKA=$(bash scripts/kafka/start.sh)\n" +
        "(stop it with bash scripts/kafka/stop.sh), or run the whole suite with npm test.",
    );
  }
  return raw.split(",").map((s) => s.trim());
}

/** A topic prefix no other test uses, so tests share one broker without seeing each other's records. */
export function uniquePrefix(tag: string): string {
  return `t${process.pid}-${tag}-${randomUUID().slice(0, 8)}.`;
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
