/**
 * What the `kafka-clients` benchmark asks of a Kafka client: the three things Parley's cluster does with one
 * (docs/architecture.md, kafka/), each as Parley does it. A gateway produces commands with an idempotent
 * producer (acks=all) in small batches; a sequencer commits transactions that carry a few records for each
 * of many partitions; gateways, the sink and redistributors read committed records from chosen partitions.
 */

/** One record to produce. */
export interface BenchRecord {
  readonly partition: number;
  readonly key: Buffer;
  readonly value: Buffer;
}

/** An idempotent producer (acks=all). */
export interface BenchProducer {
  /** Resolves when every record of the batch is acknowledged. */
  send(topic: string, records: readonly BenchRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** A transactional producer: one transaction at a time. */
export interface BenchTransactions {
  /** Begins a transaction, sends the records in it, commits. */
  commit(topic: string, records: readonly BenchRecord[]): Promise<void>;
  close(): Promise<void>;
}

/** One client library under test. */
export interface BenchClient {
  readonly name: string;
  producer(): Promise<BenchProducer>;
  transactions(transactionalId: string): Promise<BenchTransactions>;
  /** Reads `topic`'s `partitions` read_committed from their start until `count` records arrived. */
  consume(topic: string, partitions: number, count: number): Promise<void>;
}
