/**
 * Taking a commands partition over when every sequencer instance commits all
 * its partitions in one transactional producer (shared-transactions.ts).
 *
 * A partition must never be sequenced by two writers: a zombie (an instance
 * paused past its session, then resumed) would fork room sequences. With one
 * transactional id per partition the new owner's InitProducerId fenced the
 * old one. Now the old owner's id is its instance's, so the new owner must
 * learn it: the compacted owners topic holds, per partition, the
 * transactional id of each owner in turn, written in the owner's own
 * transaction. Taking partition p over (instance B, previous owner A):
 *
 *   1. read p's owner records: A is the latest;
 *   2. fence A (InitProducerId on A's id: A's open transaction is aborted,
 *      its committing one finished, and A must initialise again to write);
 *   3. commit "B owns p" in B's transaction;
 *   4. read the owner records again and fence A, and anyone who wrote an
 *      owner record between A's and B's, once more; fail if someone wrote
 *      after B (the group moved p again; the worker retries later);
 *   5. rebuild p's state, then sequence.
 *
 * An instance that was fenced initialises again and, before it commits a
 * partition's batch, reads that partition's latest owner: only its own id
 * lets the batch go (SharedTransactions.retryOwned). So A can commit p only
 * while the latest owner record is still A's, that is before step 3, and
 * step 4's fence waits for any such commit to finish: step 5 reads it. After
 * step 4 A reads "B owns p" and stops. Fenced instances keep their other
 * partitions (their batches are simply sent again).
 *
 * Step 2 also fences the partition's old per-partition id, so a sequencer of
 * an earlier version still running during an upgrade is stopped too.
 */
import { type Consumer, ProduceAcks, Producer } from "@platformatic/kafka";
import { closeForced } from "../close-client.js";
import { PartitionReader } from "../partition-reader.js";
import { decodeOwner, encodeOwner } from "../records.js";
import { transactionalRetries } from "../retry-policy.js";
import type { KafkaClusterOptions, TopicLayout } from "../topics.js";
import { readRange } from "./sequencer-state.js";
import { PartitionFenced, type SharedTransactions } from "./shared-transactions.js";

/** What ownership needs to read the owners topic and to fence. */
export interface OwnershipDeps {
  readonly cluster: KafkaClusterOptions;
  readonly layout: TopicLayout;
  /** A consumer used for plain reads. */
  readonly reader: Consumer;
  readonly clientId: string;
}

/** An instance's transactional id. `-i-` keeps it apart from the per-partition ids of earlier versions. */
export function instanceTransactionalId(cluster: KafkaClusterOptions, instanceId: string): string {
  return `${cluster.topicPrefix ?? "parley."}sequencer-i-${instanceId}`;
}

/** The per-partition transactional id sequencers used before shared transactions. */
function partitionTransactionalId(cluster: KafkaClusterOptions, p: number): string {
  return `${cluster.topicPrefix ?? "parley."}sequencer-${p}`;
}

/** How long an owners read waits for transactions written before it to be decided. */
const OWNERS_READ_MS = 10_000;

/**
 * Partition p's committed owner records, oldest first, including every
 * transaction written before the call: a commit returns to its producer
 * before its markers make it visible, so reading only what is visible now
 * could miss an owner record whose transaction already committed.
 */
export async function ownerHistory(d: OwnershipDeps, p: number): Promise<string[]> {
  const owners = new PartitionReader(d.reader, d.layout.names.owners);
  const [start, end] = await Promise.all([owners.startOffsets([p]), owners.writtenEnds([p])]);
  const out: string[] = [];
  const range = { from: start.get(p) ?? 0n, to: end.get(p) ?? 0n, deadline: Date.now() + OWNERS_READ_MS };
  await readRange(owners, p, range, (r) => {
    const id = decodeOwner(r.value);
    if (id !== undefined) out.push(id);
  });
  return out;
}

/** Partition p's owner now: the transactional id of its latest committed owner record. */
export async function currentOwner(d: OwnershipDeps, p: number): Promise<string | undefined> {
  return (await ownerHistory(d, p)).at(-1);
}

/**
 * Initialises a producer with `transactionalId` and drops it: the broker
 * finishes that id's transaction in flight (aborts an open one) and refuses
 * the holder's later writes until it initialises again.
 */
export async function fence(d: OwnershipDeps, transactionalId: string): Promise<void> {
  const producer = new Producer({
    clientId: `${d.clientId}-fence`,
    bootstrapBrokers: [...d.cluster.brokers],
    idempotent: true,
    acks: ProduceAcks.ALL,
    transactionalId,
    timeout: 10_000,
    ...transactionalRetries(),
  });
  try {
    const txn = await producer.beginTransaction({ producerId: -1n, producerEpoch: -1 });
    await txn.cancel();
  } finally {
    await closeForced(producer);
  }
}

/** Steps 1-4 of the module comment; after it resolves, `shared` alone may commit partition p. */
export async function takeOver(d: OwnershipDeps, shared: SharedTransactions, p: number): Promise<void> {
  const self = shared.transactionalId;
  const before = (await ownerHistory(d, p)).at(-1);
  const legacy = partitionTransactionalId(d.cluster, p);
  await Promise.all([
    fence(d, legacy),
    before === undefined ? undefined : before === self ? shared.settle() : fence(d, before),
  ]);
  await shared.claim(p, encodeOwner(d.layout.names.owners, p, self));
  const after = await ownerHistory(d, p);
  if (after.at(-1) !== self) {
    shared.release(p);
    throw new PartitionFenced(p);
  }
  await Promise.all([...writersBefore(after, before, self)].map((id) => fence(d, id)));
}

/** Every owner id other than `self` from `before`'s last record up to self's latest one (all of them when `before` is gone). */
function writersBefore(history: readonly string[], before: string | undefined, self: string): Set<string> {
  const mine = history.lastIndexOf(self);
  if (mine <= 0) return new Set();
  const from = before === undefined ? 0 : Math.max(0, history.lastIndexOf(before, mine - 1));
  return new Set(history.slice(from, mine).filter((id) => id !== self));
}
