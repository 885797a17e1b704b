import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { MemoryHistorySource } from "../support/memory-history-source.js";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { deleteTestTopics, roomsOnEveryPartition, testCluster } from "../support/test-kafka.js";
import { partitionFor, type KafkaClusterOptions } from "#server/kafka/topics.js";

const PARTITIONS = 12;
const PER_ROOM = 5;

/** Starts a sequencer and two gateways at once on topics none of them has seen (as `--role all` on a new prefix). */
async function startTogether(cluster: KafkaClusterOptions) {
  const history = new MemoryHistorySource(cluster);
  const sequencer = new SequencerService({ cluster, sessionTimeoutMs: 3000 });
  const gateways = [new KafkaLog({ cluster, history }), new KafkaLog({ cluster, history })];
  await Promise.all([sequencer.start(), ...gateways.map((g) => g.start()), history.start()]);
  return { history, sequencer, gateways };
}

test("gateways started while the topics are created deliver every partition's events live", async () => {
  const cluster = testCluster("fresh", PARTITIONS);
  const { history, sequencer, gateways } = await startTogether(cluster);
  try {
    const rooms = roomsOnEveryPartition(`fresh-${cluster.topicPrefix}`, PARTITIONS, 2);
    const seen = gateways.map(() => new Map<string, number[]>());
    gateways.forEach((g, i) =>
      g.subscribe((e: RoomEvent) => seen[i]!.set(e.room, [...(seen[i]!.get(e.room) ?? []), e.seq])),
    );
    const appends = rooms.flatMap((room) =>
      Array.from({ length: PER_ROOM }, (_, n) =>
        gateways[n % 2]!.append({ room, cmid: `${room}-${n}`, from: "u", kind: "message", body: { n } }),
      ),
    );
    await Promise.all(appends);
    const expected = Array.from({ length: PER_ROOM }, (_, n) => n + 1);
    const missing = () =>
      seen.flatMap((s, i) =>
        rooms
          .filter((r) => (s.get(r) ?? []).length < PER_ROOM)
          .map((r) => `gw${i} ${r} (p${partitionFor(r, PARTITIONS)})`),
      );
    const deadline = Date.now() + 5000;
    while (missing().length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(missing(), [], "every gateway gets every event live");
    for (const s of seen) for (const r of rooms) assert.deepEqual(s.get(r), expected, r);
  } finally {
    await Promise.all(gateways.map((g) => g.close()));
    await sequencer.close();
    await history.close();
    await deleteTestTopics(cluster);
  }
});

test("a gateway whose events tail cannot read its partitions reports not ready and logs why", async () => {
  const cluster = testCluster("unready", PARTITIONS);
  const { history, sequencer, gateways } = await startTogether(cluster);
  const errors: string[] = [];
  const restore = console.error;
  console.error = (...args: unknown[]) => void errors.push(args.map(String).join(" "));
  try {
    assert.deepEqual(
      gateways.map((g) => g.ready()),
      [true, true],
    );
    // The events topic disappears under the gateways: every fetch now fails.
    await deleteTestTopics(cluster);
    const until = async (want: boolean) => {
      const deadline = Date.now() + 15_000;
      while (gateways.some((g) => g.ready() !== want) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      return gateways.map((g) => g.ready());
    };
    assert.deepEqual(await until(false), [false, false]);
    assert.ok(
      errors.some((e) => e.includes("events tail")),
      "the failing tail says so",
    );
  } finally {
    console.error = restore;
    await Promise.all(gateways.map((g) => g.close()));
    await sequencer.close();
    await history.close();
    await deleteTestTopics(cluster);
  }
});

test("an append no sequencer answers fails UNAVAILABLE and names its silent partition", async () => {
  const cluster = testCluster("unanswered", PARTITIONS);
  const history = new MemoryHistorySource(cluster);
  const told: Array<[number, number]> = [];
  const log = new KafkaLog({ cluster, history, appendTimeoutMs: 500, onUnanswered: (p, ms) => told.push([p, ms]) });
  try {
    await log.start();
    const room = `unanswered-${cluster.topicPrefix}`;
    const publish = (n: number) => log.append({ room, cmid: `c${n}`, from: "u", kind: "message", body: { n } });
    await Promise.all([1, 2].map((n) => assert.rejects(publish(n), { code: "UNAVAILABLE" })));
    assert.deepEqual(told, [[partitionFor(room, PARTITIONS), 500]], "told once per partition per timeout");
  } finally {
    await log.close();
    await deleteTestTopics(cluster);
  }
});
