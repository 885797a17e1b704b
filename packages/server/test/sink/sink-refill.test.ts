import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Admin } from "@platformatic/kafka";
import pino from "pino";
import { Metrics } from "#server/metrics/metrics.js";
import { PostgresSinkPositions } from "#server/postgres/sink-positions.js";
import { SinkService } from "#server/sink/sink-service.js";
import { sinkEvent as event, sinkStorage } from "../support/sink-fixture.js";
import { waitUntil } from "../support/wait.js";

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

// PostgreSQL is the truth of how far the sink wrote: an emptied or restored database is refilled from
// Kafka, whatever the sink group's offsets in Kafka say, and what Kafka no longer holds is reported.
describe("SinkService resumes from PostgreSQL's positions (real Kafka, real PostgreSQL)", () => {
  const storage = sinkStorage("refill", 2);
  const { brokers, prefix, topic } = storage;
  // Room a on partition 0, room b on partition 1: one event per record, so offset = seq - 1.
  const rooms = [`${prefix}a`, `${prefix}b`];
  const sent = [0, 0];

  const publish = async (partition: number, count: number): Promise<void> => {
    const room = rooms[partition]!;
    const messages = range(sent[partition]! + 1, sent[partition]! + count).map((seq) => ({
      topic,
      partition,
      key: room,
      value: JSON.stringify(event(room, seq)),
      headers: { "parley-t": "event", "parley-epoch": "e1" },
    }));
    sent[partition]! += count;
    await storage.producer.send({ messages });
  };
  const seqs = async (partition: number) =>
    (await storage.events.readAfter(rooms[partition]!, 0, 1000)).map((e) => e.seq);
  const reached = (partition: number, seq: number) => async () =>
    (await storage.events.maxSeq(rooms[partition]!)) === seq;
  const sink = (extra: { metrics?: Metrics; logs?: Record<string, unknown>[] } = {}): SinkService => {
    const logs = extra.logs;
    const logger = logs
      ? pino({ level: "info" }, { write: (line: string) => void logs.push(JSON.parse(line)) })
      : pino({ level: "silent" });
    return new SinkService({
      brokers,
      topicPrefix: prefix,
      events: storage.events,
      positions: new PostgresSinkPositions(storage.db.pool),
      logger,
      metrics: extra.metrics,
      maxBatch: 7,
      sessionTimeoutMs: 3000,
    });
  };
  const runUntil = async (s: SinkService, ...checks: (() => Promise<boolean>)[]): Promise<void> => {
    await s.start();
    try {
      for (const check of checks) await waitUntil(check, "the sink to write", 30_000);
    } finally {
      await s.stop();
    }
  };
  /** An empty PostgreSQL under the same name, as after re-running local-cluster.sh or restoring an old backup. */
  const emptyPostgres = () => storage.emptyPostgres();
  const deleteBelow = async (partition: number, offset: bigint): Promise<void> => {
    const admin = new Admin({ clientId: "parley-test-admin", bootstrapBrokers: brokers });
    try {
      await admin.deleteRecords({ topics: [{ name: topic, partitions: [{ partition, offset }] }] });
    } finally {
      await admin.close();
    }
  };

  it("refills an emptied PostgreSQL from Kafka although the group committed everything", async () => {
    await publish(0, 40);
    await publish(1, 40);
    await runUntil(sink(), reached(0, 40), reached(1, 40));
    await emptyPostgres();
    assert.deepEqual(await seqs(0), [], "PostgreSQL starts empty");
    await runUntil(sink(), reached(0, 40), reached(1, 40));
    assert.deepEqual(await seqs(0), range(1, 40));
    assert.deepEqual(await seqs(1), range(1, 40));
    assert.deepEqual(await storage.events.head(rooms[0]!), { epoch: "e1", lastSeq: 40 });
    assert.deepEqual(
      await new PostgresSinkPositions(storage.db.pool).read(topic),
      new Map([
        [0, 40n],
        [1, 40n],
      ]),
    );
  });

  it("says loudly which offsets aged out of Kafka before PostgreSQL had them, then goes on", async () => {
    // Partition 0 gets 10 more events while the sink is away, and Kafka drops offsets 40..44 (seqs 41..45).
    await publish(0, 10);
    await deleteBelow(0, 45n);
    const metrics = new Metrics();
    const logs: Record<string, unknown>[] = [];
    await runUntil(sink({ metrics, logs }), reached(0, 50));
    assert.deepEqual(await seqs(0), [...range(1, 40), ...range(46, 50)]);
    assert.deepEqual(await seqs(1), range(1, 40), "the other partition is untouched");
    const lost = logs.filter((l) => l.level === 50);
    assert.equal(lost.length, 1, JSON.stringify(lost));
    assert.deepEqual(
      { partition: lost[0]!.partition, from: lost[0]!.missingFrom, to: lost[0]!.missingTo, topic: lost[0]!.topic },
      { partition: 0, from: "40", to: "44", topic },
    );
    const counted = (await metrics.sinkLostOffsets.get()).values;
    assert.deepEqual(
      counted.map((v) => [v.labels.partition, v.value]),
      [[0, 5]],
    );
  });
});
