import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { Producer, stringSerializers } from "@platformatic/kafka";
import type { RoomEvent } from "@parley/protocol";
import pino from "pino";
import { createTestTopics, testBrokers, uniquePrefix } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";
import type { PostgresDb } from "#server/postgres/db.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { dropSchema, openTestDb, uniqueSchema } from "../support/postgres-test-db.js";
import { SinkService } from "#server/sink/sink-service.js";
import { PostgresSinkPositions } from "#server/postgres/sink-positions.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function event(room: string, seq: number): RoomEvent {
  return { room, seq, id: `${room}-${seq}`, from: "u", ts: seq, kind: "message", body: { n: seq }, cmid: `c${seq}` };
}

describe("SinkService (real Kafka, real PostgreSQL)", () => {
  const brokers = testBrokers();
  const prefix = uniquePrefix("sink");
  const schema = uniqueSchema("sink");
  const rooms = ["a", "b", "c", "d"].map((r) => `${prefix}${r}`);
  let db: PostgresDb;
  let events: PostgresEvents;
  let producer: Producer<string, string, string, string>;
  const sent = new Map<string, number>();

  const publish = async (perRoom: number): Promise<void> => {
    const messages = [];
    for (const room of rooms) {
      for (let i = 0; i < perRoom; i++) {
        const seq = (sent.get(room) ?? 0) + 1;
        sent.set(room, seq);
        const headers = { "parley-t": "event", "parley-epoch": "e1", "parley-rid": "g:1" };
        messages.push({ topic: `${prefix}events`, key: room, value: JSON.stringify(event(room, seq)), headers });
        // A duplicate marker (an answer to a retrying gateway) right after: never stored as a second row.
        const dup = { ...event(room, seq), id: `dup-${seq}`, seq: seq + 100_000 };
        const dupHeaders = { "parley-t": "duplicate", "parley-rid": "g:2" };
        messages.push({ topic: `${prefix}events`, key: room, value: JSON.stringify(dup), headers: dupHeaders });
      }
    }
    await producer.send({ messages });
  };
  const complete = async (): Promise<boolean> => {
    for (const room of rooms) if ((await events.maxSeq(room)) !== sent.get(room)) return false;
    return true;
  };
  const startSink = async (): Promise<SinkService> => {
    const sink = new SinkService({
      brokers,
      topicPrefix: prefix,
      events,
      positions: new PostgresSinkPositions(db.pool),
      logger: pino({ level: "silent" }),
      maxBatch: 50,
      sessionTimeoutMs: 3000,
    });
    await sink.start();
    return sink;
  };

  before(async () => {
    await createTestTopics(brokers, [`${prefix}events`], 4);
    db = await openTestDb(schema);
    events = new PostgresEvents(db.pool);
    producer = new Producer({ clientId: "sink-test", bootstrapBrokers: brokers, serializers: stringSerializers });
  });
  after(async () => {
    await producer?.close();
    await db?.close();
    await dropSchema(schema);
  });

  it("writes every event once, and catches up after being stopped a while", async () => {
    let sink = await startSink();
    await publish(30);
    await waitUntil(complete, "first events in PostgreSQL", 20_000);
    await sink.stop();
    await publish(120);
    await sleep(300);
    assert.equal(await complete(), false, "nothing is written while the sink is stopped");
    sink = await startSink();
    await waitUntil(complete, "catch-up", 30_000);
    await sink.stop();
    for (const room of rooms) {
      const stored = await events.readAfter(room, 0, 1000);
      assert.deepEqual(
        stored.map((e) => e.seq),
        Array.from({ length: 150 }, (_, i) => i + 1),
        "contiguous, no duplicate",
      );
      assert.deepEqual(await events.head(room), { epoch: "e1", lastSeq: 150 });
    }
  });
});
