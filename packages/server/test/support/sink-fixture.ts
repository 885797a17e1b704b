/**
 * What the sink tests share: a chat message as the sequencer writes it, and per suite a fresh events
 * topic, a PostgreSQL schema with the events tables and a producer to play the sequencer.
 */
import { after, before } from "node:test";
import { Producer, stringSerializers } from "@platformatic/kafka";
import type { RoomEvent } from "@parley/protocol";
import type { PostgresDb } from "#server/postgres/db.js";
import { PostgresEvents } from "#server/postgres/events.js";
import { dropSchema, openTestDb, uniqueSchema } from "./postgres-test-db.js";
import { createTestTopics, testBrokers, uniquePrefix } from "./test-kafka.js";

/** A stored chat message of `room` at `seq` (its cmid `c<seq>`). */
export function sinkEvent(room: string, seq: number): RoomEvent {
  return { room, seq, id: `${room}-${seq}`, from: "u", ts: seq, kind: "message", body: { n: seq }, cmid: `c${seq}` };
}

/** A suite's topic, schema and producer; `db` and `events` are valid between its hooks. */
export interface SinkStorage {
  readonly brokers: string[];
  readonly prefix: string;
  readonly topic: string;
  readonly producer: Producer<string, string, string, string>;
  readonly db: PostgresDb;
  readonly events: PostgresEvents;
  /** Drops the schema and opens it again empty, as after restoring an old backup. */
  emptyPostgres(): Promise<void>;
}

/** Registers the suite's before/after hooks (call inside `describe`). */
export function sinkStorage(name: string, partitions: number): SinkStorage {
  const brokers = testBrokers();
  const prefix = uniquePrefix(name);
  const schema = uniqueSchema(name);
  let producer: Producer<string, string, string, string> | undefined;
  let db: PostgresDb | undefined;
  let events: PostgresEvents | undefined;
  const open = async (): Promise<void> => {
    db = await openTestDb(schema);
    events = new PostgresEvents(db.pool);
  };
  const opened = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`sink storage: ${what} is used outside the suite's hooks`);
    return value;
  };
  before(async () => {
    await createTestTopics(brokers, [`${prefix}events`], partitions);
    await open();
    producer = new Producer({ clientId: `${name}-test`, bootstrapBrokers: brokers, serializers: stringSerializers });
  });
  after(async () => {
    await producer?.close();
    await db?.close();
    await dropSchema(schema);
  });
  return {
    brokers,
    prefix,
    topic: `${prefix}events`,
    get producer() {
      return opened(producer, "the producer");
    },
    get db() {
      return opened(db, "the database");
    },
    get events() {
      return opened(events, "the events store");
    },
    async emptyPostgres() {
      await opened(db, "the database").close();
      await dropSchema(schema);
      await open();
    },
  };
}
