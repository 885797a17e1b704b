/**
 * The inbound bridge as a cluster role (docs/kafka.md, "Inbound topics"):
 * two `--role bridge` nodes share a source topic's partitions through their
 * consumer group; one is killed with kill -9 mid-stream, the other takes its
 * partitions over (a rebalance, replaying from the committed offsets), and
 * every record still becomes exactly one event, in partition order, through
 * the sequencers. Needs the test broker, PostgreSQL and kcat.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { readAllHistory, uniqueRoom } from "../support/fixtures.js";
import { TestCluster } from "../support/cluster-fixture.js";
import { ClusterProcess } from "../support/cluster-process.js";
import { kcatProduce, type KcatRecord } from "../support/kcat.js";
import { scrapeCounter } from "../support/scrape.js";
import { createTestTopics } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

const PARTITIONS = 4;
const PER_ROOM = 300;

describe("the bridge role in a cluster", { timeout: 300_000 }, () => {
  let cluster: TestCluster;
  const bridges: ClusterProcess[] = [];
  before(async () => {
    cluster = await TestCluster.start({ gateways: 1, sequencers: 1 });
  });
  after(async () => {
    await Promise.all(bridges.map((b) => b.cleanup()));
    await cluster?.dispose();
  });

  it("turns every record into one event, in partition order, when a bridge is killed mid-stream", async () => {
    const source = `${cluster.config.topicPrefix}orders`;
    await createTestTopics(cluster.config.kafka.split(","), [source], PARTITIONS);
    const args = [...(cluster.config.args ?? []), "--bridge-topics", `${source} room=key author=orders-bot`];
    for (const name of ["bridge0", "bridge1"]) {
      bridges.push(new ClusterProcess("bridge", { ...cluster.config, args }, name));
    }
    await Promise.all(bridges.map((b) => b.start()));
    const explained = async (body: () => Promise<void>) => {
      try {
        await body();
      } catch (err) {
        if (err instanceof Error) err.message += `\n${bridges.map((b) => b.output(30)).join("\n")}`;
        throw err;
      }
    };
    await cluster.explained(() =>
      explained(async () => {
        const [gateway] = cluster.gateways;
        assert.ok(gateway);
        const rooms = Array.from({ length: PARTITIONS }, () => uniqueRoom("orders"));
        const reader = await cluster.connect(gateway, "reader");
        for (const room of rooms) assert.equal((await reader.request({ t: "sub", room })).t, "subscribed");
        const records = (texts: (i: number) => string, count: number): KcatRecord[] =>
          rooms.flatMap((room, partition) =>
            Array.from({ length: count }, (_, i) => ({
              partition,
              key: room,
              value: JSON.stringify({ text: texts(i) }),
            })),
          );
        await kcatProduce(
          cluster.config.kafka,
          source,
          records((i) => `${i}`, PER_ROOM),
        );

        const seen = () => rooms.reduce((n, room) => n + reader.events(room).length, 0);
        // bridge0 owns some partitions and has made events from them: kill it now, far from done.
        const made = () => scrapeCounter(bridges[0]!.httpUrl, "parley_bridge_records_total", { outcome: "event" });
        await waitUntil(async () => (await made()) >= 5, "bridge0's first events");
        await bridges[0]!.kill9();
        assert.ok(seen() < PARTITIONS * PER_ROOM, `the kill came mid-stream (${seen()} events seen)`);
        // Last on each partition: once it arrives, every earlier record of its partition was handled.
        await kcatProduce(
          cluster.config.kafka,
          source,
          records(() => "end", 1),
        );

        const expected = [...Array.from({ length: PER_ROOM }, (_, i) => `${i}`), "end"];
        for (const room of rooms) {
          const live = await reader.waitForEvents(room, expected.length, 120_000);
          assert.deepEqual(
            live.map((e) => (e.body as { text: string }).text),
            expected,
            `${room}: every record once, in partition order`,
          );
          assert.ok(live.every((e) => e.from === "orders-bot"));
        }
        const history = await readAllHistory(reader, rooms[0]!);
        assert.deepEqual(
          history.map((e) => (e.body as { text: string }).text),
          expected,
        );
      }),
    )();
  });
});
