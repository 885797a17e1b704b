/**
 * @confluentinc/kafka-javascript (librdkafka), through its KafkaJS-style API, loaded from where
 * scripts/ensure-confluent-kafka.sh built it: it is not a dependency of Parley, only of this comparison.
 * The types below are the narrow part of its API used here.
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type { BenchClient, BenchProducer, BenchRecord, BenchTransactions } from "./client.js";

interface CkMessage {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly partition: number;
}
interface CkClient {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
}
interface CkProducer extends CkClient {
  send(record: { topic: string; messages: CkMessage[] }): Promise<unknown>;
  transaction(): Promise<CkProducer>;
  commit(): Promise<void>;
}
interface CkConsumer extends CkClient {
  subscribe(args: { topics: string[] }): Promise<void>;
  run(args: { eachBatch: (payload: { batch: { messages: unknown[] } }) => Promise<void> }): Promise<void>;
}
interface CkKafka {
  producer(config: Record<string, unknown>): CkProducer;
  consumer(config: Record<string, unknown>): CkConsumer;
}
interface CkModule {
  KafkaJS: { Kafka: new (config: Record<string, unknown>) => CkKafka };
}

const messages = (records: readonly BenchRecord[]): CkMessage[] =>
  records.map((r) => ({ partition: r.partition, key: r.key, value: r.value }));

/** `dir`: the folder ensure-confluent-kafka.sh printed. */
export function confluentClient(dir: string, brokers: readonly string[]): BenchClient {
  const require = createRequire(join(dir, "package.json"));
  const { KafkaJS } = require("@confluentinc/kafka-javascript") as CkModule;
  // logLevel 1 (errors only): its default logs every connection at info.
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: [...brokers], logLevel: 1 } });
  return {
    name: "@confluentinc/kafka-javascript",
    async producer(): Promise<BenchProducer> {
      // linger.ms 0: each awaited send goes out at once, as Parley's gateway flushes its batch every turn.
      const producer = kafka.producer({ "linger.ms": 0, kafkaJS: { idempotent: true, acks: -1 } });
      await producer.connect();
      return {
        send: async (topic, records) => void (await producer.send({ topic, messages: messages(records) })),
        close: () => producer.disconnect(),
      };
    },
    async transactions(transactionalId: string): Promise<BenchTransactions> {
      const config = { kafkaJS: { transactionalId, idempotent: true, maxInFlightRequests: 1 } };
      const producer = kafka.producer({ "linger.ms": 0, ...config });
      await producer.connect();
      return {
        async commit(topic, records) {
          const txn = await producer.transaction();
          await txn.send({ topic, messages: messages(records) });
          await txn.commit();
        },
        close: () => producer.disconnect(),
      };
    },
    async consume(topic, _partitions, count) {
      const consumer = kafka.consumer({
        "isolation.level": "read_committed",
        "js.consumer.max.batch.size": -1,
        kafkaJS: { groupId: `bench-consume-${Date.now()}`, fromBeginning: true, autoCommit: false },
      });
      await consumer.connect();
      let seen = 0;
      let done: () => void = () => {};
      const finished = new Promise<void>((resolve) => (done = resolve));
      try {
        await consumer.subscribe({ topics: [topic] });
        await consumer.run({
          eachBatch: ({ batch }) => {
            seen += batch.messages.length;
            if (seen >= count) done();
            return Promise.resolve();
          },
        });
        await finished;
      } finally {
        await consumer.disconnect();
      }
    },
  };
}
