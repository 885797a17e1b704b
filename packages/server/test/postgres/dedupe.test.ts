import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import pino from "pino";
import { SinkService } from "#server/sink/sink-service.js";
import type { PostgresDb } from "#server/postgres/db.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { MemoryHistorySource } from "../support/memory-history-source.js";
import { PostgresDedupe } from "#server/postgres/dedupe.js";
import { SequencerService } from "#server/kafka/sequencer/sequencer-service.js";
import { deleteTestTopics, testCluster } from "../support/test-kafka.js";
import { ensureTopics } from "#server/kafka/topics.js";
import { PostgresSinkPositions } from "#server/postgres/sink-positions.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ROOM = "room-1";

describe("sequencer dedupe beyond its cache, checked against PostgreSQL (real Kafka, real PostgreSQL)", () => {
  const cluster = testCluster("pgdedupe", 2);
  const schema = uniqueSchema("pgdedupe");
  const logger = pino({ level: "silent" });
  let db: PostgresDb;
  let events: PostgresEvents;
  let history: MemoryHistorySource;
  let log: KafkaLog;
  let sink: SinkService | undefined;
  let sequencer: SequencerService | undefined;
  let lookups = 0;

  const startSequencer = async () => {
    // dedupeMaxEntries 10: every retry below is older than the whole cache.
    sequencer = new SequencerService({
      cluster,
      logger,
      sessionTimeoutMs: 3000,
      dedupeMaxEntries: 10,
      dedupeFallback: {
        find: (probes) => (lookups++, new PostgresDedupe(db.pool).find(probes)),
        writtenBelow: (topic) => new PostgresDedupe(db.pool).writtenBelow(topic),
      },
    });
    await sequencer.start();
  };
  const startSink = async () => {
    sink = new SinkService({
      brokers: cluster.brokers,
      topicPrefix: cluster.topicPrefix!,
      events,
      logger,
      positions: new PostgresSinkPositions(db.pool),
    });
    await sink.start();
  };
  const publish = (i: number) => log.append({ room: ROOM, cmid: `m${i}`, from: "u", kind: "message", body: { i } });
  const waitStored = async (seq: number) => {
    for (let deadline = Date.now() + 30_000; (await events.maxSeq(ROOM)) < seq; await sleep(100)) {
      if (Date.now() > deadline) throw new Error(`PostgreSQL never reached seq ${seq}`);
    }
  };
  const assertNoDuplicate = async (expected: number) => {
    await waitStored(expected);
    const stored = await events.readAfter(ROOM, 0, 1000);
    assert.deepEqual(
      stored.map((e) => e.seq),
      Array.from({ length: expected }, (_, i) => i + 1),
      "PostgreSQL contiguous",
    );
    assert.deepEqual(history.anomalies, []);
    assert.equal(history.all().get(ROOM)?.length, expected, "Kafka holds no second event for a retry");
  };

  before(async () => {
    await ensureTopics(cluster);
    db = await openTestDb(schema);
    events = new PostgresEvents(db.pool);
    history = new MemoryHistorySource(cluster);
    await history.start();
    log = new KafkaLog({ cluster, history, appendTimeoutMs: 20_000 });
    await log.start();
    await startSequencer();
    await startSink();
  });
  after(async () => {
    await sink?.stop();
    await sequencer?.close();
    await log?.close();
    await history?.close();
    await db?.close();
    await dropSchema(schema);
    await deleteTestTopics(cluster);
  });

  it("a retry older than the live cache is a duplicate with its original seq", async () => {
    for (let i = 0; i < 50; i++) assert.equal((await publish(i)).event.seq, i + 1);
    await waitStored(50);
    await sleep(1500); // the sequencer learns the sink's offsets once a second
    assert.equal((await publish(50)).event.seq, 51, "a new cmid still gets the next seq");
    const before = lookups;
    const retry = await publish(3);
    assert.deepEqual([retry.duplicate, retry.event.seq, retry.event.cmid], [true, 4, "m3"]);
    assert.ok(lookups > before, "answered by PostgreSQL, not by the cache");
    await assertNoDuplicate(51);
  });

  it("after a restart (cache rebuilt from only the last 10 events) an early retry is still a duplicate", async () => {
    await sequencer!.close();
    await startSequencer();
    const before = lookups;
    const retry = await publish(0);
    assert.ok(lookups > before, "answered by PostgreSQL, not by the cache");
    assert.deepEqual([retry.duplicate, retry.event.seq, retry.event.cmid], [true, 1, "m0"]);
    assert.equal((await publish(51)).event.seq, 52);
    await assertNoDuplicate(52);
  });

  it("while the sink lags, the cache keeps (and a rebuild reads) what PostgreSQL lacks: no stall, no second event", async () => {
    await sink!.stop();
    for (let i = 52; i < 72; i++) assert.equal((await publish(i)).event.seq, i + 1, "new cmids are not held up");
    await sequencer!.close();
    await startSequencer();
    const retry = await publish(55); // older than the last 10 events, not yet in PostgreSQL
    assert.deepEqual([retry.duplicate, retry.event.seq], [true, 56]);
    assert.equal((await publish(72)).event.seq, 73);
    await startSink();
    await assertNoDuplicate(73);
  });
});
