/** @platformatic/kafka, used the way Parley's kafka/ folder uses it (the client Parley ships with). */
import { Consumer, ProduceAcks, Producer } from "@platformatic/kafka";
import { PartitionReader } from "@parley/server/kafka/partition-reader.js";
import { transactionalRetries } from "@parley/server/kafka/retry-policy.js";
import type { BenchClient, BenchProducer, BenchRecord, BenchTransactions } from "./client.js";

const messages = (topic: string, records: readonly BenchRecord[]) =>
  records.map((r) => ({ topic, partition: r.partition, key: r.key, value: r.value }));

export function platformaticClient(brokers: readonly string[]): BenchClient {
  const base = { bootstrapBrokers: [...brokers] };
  return {
    name: "@platformatic/kafka",
    producer(): Promise<BenchProducer> {
      const producer = new Producer({ ...base, clientId: "bench-produce", idempotent: true, acks: ProduceAcks.ALL });
      return Promise.resolve({
        send: async (topic, records) => void (await producer.send({ messages: messages(topic, records) })),
        close: () => producer.close(),
      });
    },
    transactions(transactionalId: string): Promise<BenchTransactions> {
      // Parley's retry policy: CONCURRENT_TRANSACTIONS (the previous commit's markers still being written) is
      // retried after 2–10 ms, not the client's default second, which made one transaction in fifty take ~1 s.
      const retry = transactionalRetries();
      const options = {
        ...base,
        clientId: "bench-txn",
        idempotent: true,
        acks: ProduceAcks.ALL,
        transactionalId,
        ...retry,
      };
      const producer = new Producer(options);
      let first = true;
      return Promise.resolve({
        async commit(topic, records) {
          // As kafka/sequencer/shared-transactions.ts: -1 / -1 asks for a fresh epoch on the first one.
          const txn = first
            ? await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 })
            : await producer.beginTransaction();
          first = false;
          await txn.send({ messages: messages(topic, records) });
          await txn.commit();
        },
        close: () => producer.close(),
      });
    },
    async consume(topic, partitions, count) {
      // Parley's read path: PartitionReader (committed fetches at offsets it owns), not the client's stream.
      const consumer = new Consumer({ ...base, clientId: "bench-consume", groupId: "bench-consume-unjoined" });
      const reader = new PartitionReader(consumer, topic, { maxWaitMs: 100 });
      const positions = new Map<number, bigint>();
      for (let p = 0; p < partitions; p++) positions.set(p, 0n);
      let seen = 0;
      try {
        while (seen < count) {
          for (const [p, batch] of await reader.fetch(positions)) {
            seen += batch.records.filter((r) => r.value !== null).length;
            positions.set(p, batch.next);
          }
        }
      } finally {
        await consumer.close(true);
      }
    },
  };
}
