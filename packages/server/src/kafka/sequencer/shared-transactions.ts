/**
 * One transactional producer for every commands partition a sequencer
 * instance owns. Partition workers hand it their batch's records; whatever
 * arrives while a transaction commits goes into the next one, so an instance
 * commits one transaction at a time for all its partitions instead of one
 * per partition. A transaction costs the broker the same round trips and
 * markers whatever it holds, and with a transactional id per partition the
 * instance ran up to 12 transactions at once that the broker on a small box
 * served one after another (docs/performance.md, "Kafka-mode durable
 * publish": 1.5-1.65x the acks, 3-5x lower DM latency).
 *
 * The price is fencing: a new owner of a partition can no longer fence "the
 * partition's producer", only the previous owner's whole instance
 * (ownership.ts). So a fenced error here does not mean every partition was
 * lost: the producer is initialised again, and then the owners topic is read
 * for EVERY partition this instance holds (not only those in the failed
 * batch: the new epoch would let any of them commit). Partitions it still
 * owns go on (their batches are sent again); the others are dropped, and
 * their batches, now and later, fail with PartitionFenced.
 */
import { ProduceAcks, Producer } from "@platformatic/kafka";
import { latencyTrace } from "../../metrics/latency-trace.js";
import { closeForced } from "../close-client.js";
import type { OutRecord } from "../records.js";
import { transactionalRetries } from "../retry-policy.js";
import type { KafkaClusterOptions } from "../topics.js";

/** Where a transaction's records landed, per topic and partition. */
export type SentOffsets = readonly { topic: string; partition: number; offset: bigint }[] | undefined;

/** A partition's batch refused because another instance owns the partition now. */
export class PartitionFenced extends Error {
  constructor(readonly partition: number) {
    super(`sequencer: partition ${partition} is owned by another instance now`);
  }
}

/** True for the errors a fenced (replaced) transactional producer gets, and for PartitionFenced. */
export function isFenced(err: unknown): boolean {
  if (err instanceof PartitionFenced) return true;
  const e = err as { findBy?: (k: string, v: unknown) => unknown };
  return ["PRODUCER_FENCED", "INVALID_PRODUCER_EPOCH", "TRANSACTIONAL_ID_AUTHORIZATION_FAILED"].some((id) =>
    Boolean(e?.findBy?.("apiId", id)),
  );
}

/** What SharedTransactions needs. */
export interface SharedTransactionsOptions {
  readonly cluster: KafkaClusterOptions;
  /** The instance's transactional id: `<prefix>sequencer-i-<instanceId>`. */
  readonly transactionalId: string;
  readonly clientId: string;
  /** The partition's owner as the owners topic says now (ownership.ts currentOwner). */
  readonly owner: (partition: number) => Promise<string | undefined>;
}

interface Queued {
  readonly partition: number;
  /** The owner record of a takeover: the partition is held once it commits. */
  readonly claim: boolean;
  readonly records: readonly OutRecord[];
  readonly resolve: (offsets: SentOffsets) => void;
  readonly reject: (err: unknown) => void;
  /** performance.now() when queued (latency-trace.ts). */
  readonly at: number;
}

type Transaction = Awaited<ReturnType<Producer["beginTransaction"]>>;

/** Fenced rounds in a row after which queued batches fail rather than retry (two instances fighting over partitions). */
const MAX_FENCED_ROUNDS = 5;

/** Commits the batches of every partition an instance owns, one transaction at a time. */
export class SharedTransactions {
  readonly transactionalId: string;
  private producer: Producer | undefined;
  /** Partitions whose owner record this instance committed, until released or found taken. */
  private readonly held = new Set<number>();
  private queue: Queued[] = [];
  private settlers: (() => void)[] = [];
  private running: Promise<void> | undefined;
  private fencedRounds = 0;

  constructor(private readonly o: SharedTransactionsOptions) {
    this.transactionalId = o.transactionalId;
  }

  /**
   * Commits `records` of a held partition in the next transaction; resolves
   * with the send's offsets once committed, fails with PartitionFenced once
   * the partition is found to be another instance's.
   */
  commit(partition: number, records: readonly OutRecord[]): Promise<SentOffsets> {
    if (!this.held.has(partition)) return Promise.reject(new PartitionFenced(partition));
    return this.enqueue(partition, records, false);
  }

  /** Commits a takeover's owner record; the partition is held from then on. */
  async claim(partition: number, ownerRecord: OutRecord): Promise<void> {
    await this.enqueue(partition, [ownerRecord], true);
  }

  /** The worker of `partition` ended: its batches are refused until it is claimed again. */
  release(partition: number): void {
    this.held.delete(partition);
  }

  /**
   * Resolves once the producer was initialised again after every transaction
   * queued before: the broker then has finished (committed or aborted) all of
   * this instance's earlier transactions, so a rebuild reads their outcome.
   */
  settle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.settlers.push(resolve);
      this.kick();
    });
  }

  /** Waits for the transaction in flight, then closes the producer. */
  async close(): Promise<void> {
    await this.running;
    await closeForced(this.producer);
    this.producer = undefined;
  }

  private enqueue(partition: number, records: readonly OutRecord[], claim: boolean): Promise<SentOffsets> {
    return new Promise<SentOffsets>((resolve, reject) => {
      this.queue.push({ partition, records, claim, resolve, reject, at: performance.now() });
      this.kick();
    });
  }

  private kick(): void {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
      if (this.queue.length > 0 || this.settlers.length > 0) this.kick();
    });
  }

  private async run(): Promise<void> {
    // A commit wakes every partition it held at once, and each hands over its next batch a few promise hops
    // later: starting the next transaction after the pending callbacks have run lets it carry all of them,
    // where starting it at once carried one partition and made the others wait a whole transaction.
    await nextTurn();
    while (this.queue.length > 0 || this.settlers.length > 0) {
      if (this.settlers.length > 0) await this.reinitialise();
      const batch = this.queue.filter((q) => q.claim || this.held.has(q.partition) || fail(q));
      this.queue = [];
      if (batch.length > 0) await this.commitBatch(batch);
      await nextTurn();
    }
  }

  private async reinitialise(): Promise<void> {
    const settlers = this.settlers;
    this.settlers = [];
    await this.drop();
    try {
      await this.begin().then((txn) => txn.cancel());
    } catch {
      // The next commit initialises again and reports its own failure; a settle waits only for the attempt.
      await this.drop();
    }
    for (const settled of settlers) settled();
  }

  private async commitBatch(batch: Queued[]): Promise<void> {
    try {
      const t0 = performance.now();
      for (const q of batch) latencyTrace?.add("txn.queue", t0 - q.at);
      const txn = await this.begin();
      const t1 = performance.now();
      const sent = await txn.send({ messages: batch.flatMap((q) => q.records.map((r) => ({ ...r }))) });
      const t2 = performance.now();
      await txn.commit();
      if (latencyTrace) {
        const t3 = performance.now();
        latencyTrace.add("txn.begin", t1 - t0);
        latencyTrace.add("txn.send", t2 - t1);
        latencyTrace.add("txn.commit", t3 - t2);
        latencyTrace.add("txn.parts", batch.length);
      }
      this.fencedRounds = 0;
      for (const q of batch) if (q.claim) this.held.add(q.partition);
      for (const q of batch) q.resolve(sent.offsets);
    } catch (err) {
      // Whatever state the transaction is in, a new producer's initialisation finishes it on the broker.
      await this.drop();
      if (!isFenced(err) || ++this.fencedRounds > MAX_FENCED_ROUNDS) {
        for (const q of batch) q.reject(err);
        return;
      }
      await this.retryOwned(batch);
    }
  }

  /**
   * After a fence: initialise again (which ends the fenced transaction), read
   * the owner of every held partition and of the batch's, drop what another
   * instance owns now, and queue again what this one still owns.
   */
  private async retryOwned(batch: readonly Queued[]): Promise<void> {
    try {
      await this.begin().then((txn) => txn.cancel());
      const partitions = [...new Set([...this.held, ...batch.map((q) => q.partition)])];
      const owners = await Promise.all(partitions.map((p) => this.o.owner(p)));
      const mine = new Set(partitions.filter((_, i) => owners[i] === this.transactionalId));
      for (const p of this.held) if (!mine.has(p)) this.held.delete(p);
      // A claim whose transaction was fenced did not commit: the takeover fails and starts again later.
      const kept = batch.filter((q) => (!q.claim && mine.has(q.partition)) || fail(q));
      this.queue = [...kept, ...this.queue];
    } catch (err) {
      await this.drop();
      for (const q of batch) q.reject(err);
    }
  }

  /** The next transaction; a new producer is initialised first (InitProducerId fences this id's earlier epoch). */
  private async begin(): Promise<Transaction> {
    if (this.producer?.transaction) return this.producer.transaction as Transaction;
    if (this.producer) return this.producer.beginTransaction();
    this.producer = new Producer({
      clientId: `${this.o.clientId}-txn`,
      bootstrapBrokers: [...this.o.cluster.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
      transactionalId: this.transactionalId,
      timeout: 10_000,
      ...transactionalRetries(),
    });
    // -1 / -1 asks for a fresh epoch, as Kafka's own clients do (the client sends 0 / 0 otherwise, which the
    // broker answers with PRODUCER_FENCED once the transactional id exists).
    return this.producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
  }

  private async drop(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await closeForced(producer);
  }
}

/** Fails a queued batch whose partition is not (or no longer) this instance's; false, for filters. */
function fail(q: Queued): false {
  q.reject(new PartitionFenced(q.partition));
  return false;
}

/** Resolves after the callbacks already pending (I/O included) have run. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
