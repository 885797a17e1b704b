/**
 * `parley start --role all` on a topic prefix nobody created yet, with 12
 * partitions (the bench's kafka fan-out setup): every room, whatever its
 * partition, must reach its subscribers live. Needs PARLEY_TEST_KAFKA and
 * PARLEY_TEST_PG_URL; fails, never skips, without them.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import pg from "pg";
import { deleteTestTopics, roomsOnEveryPartition, testBrokers, uniquePrefix } from "../support/test-kafka.js";
import { partitionFor } from "#server/kafka/topics.js";
import { testPostgresUrl } from "../support/postgres-test-db.js";
import { RawClient } from "../support/raw-client.js";
import { ClusterProcess } from "../support/cluster-process.js";

const PARTITIONS = 12;
const PER_ROOM = 3;

async function admin(url: string, sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  await c.query(sql).finally(() => c.end());
}

/** One bench-like round: a fresh database and prefix, one `--role all` node, every partition's room published to and watched. */
async function round(): Promise<string[]> {
  const adminUrl = testPostgresUrl();
  const database = `parley_f_${process.pid}_${randomUUID().slice(0, 8)}`;
  await admin(adminUrl, `CREATE DATABASE ${database}`);
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  const config = {
    kafka: testBrokers().join(","),
    postgres: url.toString(),
    topicPrefix: uniquePrefix("fa"),
    partitions: PARTITIONS,
    args: ["--publish-rate-per-connection", "100000", "--publish-rate-per-user", "100000"],
  };
  const node = new ClusterProcess("all", config);
  const clients: RawClient[] = [];
  try {
    await node.start(60_000);
    const rooms = roomsOnEveryPartition(`fa-${randomUUID().slice(0, 6)}`, PARTITIONS);
    for (const room of rooms) {
      const c = await RawClient.connect(node.wsUrl, { user: `sub-${clients.length}` });
      clients.push(c);
      await c.expect({ t: "sub", room }, "subscribed");
    }
    const pub = await RawClient.connect(node.wsUrl, { user: "pub" });
    clients.push(pub);
    for (const room of rooms)
      for (let n = 0; n < PER_ROOM; n++) await pub.expect({ t: "pub", room, cmid: `${room}-${n}`, body: { n } }, "ack");
    const missing: string[] = [];
    await Promise.all(
      rooms.map((room, i) =>
        clients[i]!.waitForEvents(room, PER_ROOM, 5000).catch(() =>
          missing.push(`${room} (p${partitionFor(room, PARTITIONS)})`),
        ),
      ),
    );
    return missing.length === 0 ? [] : [...missing, node.output(40)];
  } finally {
    for (const c of clients) c.terminate();
    await node.cleanup();
    // As the bench does between rounds: the round's topics go, the next round creates its own.
    await deleteTestTopics({ brokers: testBrokers(), topicPrefix: config.topicPrefix });
    await admin(adminUrl, `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
  }
}

test(
  "--role all on freshly created 12-partition topics delivers every room live, round after round",
  { timeout: 180_000 },
  async () => {
    for (let i = 1; i <= 2; i++) assert.deepEqual(await round(), [], `round ${i}: every room delivers live`);
  },
);
