/** Test support for the Kafka tests: the broker address, fresh topic prefixes, cleanup. */
import { Admin } from "@platformatic/kafka";
import { topicNames, type KafkaClusterOptions } from "./topics.js";

/** The test broker from PARLEY_TEST_KAFKA; throws (the test fails, never skips) when it is not set. */
export function testBrokers(): string[] {
  const value = process.env.PARLEY_TEST_KAFKA;
  if (!value) {
    throw new Error(
      "PARLEY_TEST_KAFKA is not set. Start a broker with `bash scripts/kafka/start.sh` (it prints host:port) " +
        "and run with PARLEY_TEST_KAFKA=<host:port>; `npm test` does this for you.",
    );
  }
  return value.split(",").map((s) => s.trim());
}

let counter = 0;
/** Cluster options on a topic prefix no other test uses. */
export function testCluster(label: string, partitions = 4, brokers = testBrokers()): KafkaClusterOptions {
  const prefix = `t.${label}.${process.pid}.${Date.now().toString(36)}.${++counter}.`;
  return { brokers, topicPrefix: prefix, partitions, replication: 1, clientId: `parley-test-${label}` };
}

/** Deletes a test's topics (best effort). */
export async function deleteTestTopics(cluster: KafkaClusterOptions): Promise<void> {
  const admin = new Admin({ clientId: "parley-test-cleanup", bootstrapBrokers: [...cluster.brokers] });
  try {
    await admin.deleteTopics({ topics: Object.values(topicNames(cluster.topicPrefix)) });
  } catch {
    // Topics that were never created, or a broker already gone: nothing to clean.
  } finally {
    await admin.close().catch(() => {});
  }
}
