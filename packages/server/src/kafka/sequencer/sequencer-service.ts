/**
 * SequencerService: the sequencer role of a cluster.
 *
 * Public constructor (for composition in `parley start --role sequencer|all`):
 *
 *   new SequencerService(options: SequencerServiceOptions)
 *     options.cluster: KafkaClusterOptions   // { brokers, topicPrefix?, partitions?, replication?, clientId? }
 *     options.logger?: Logger (pino)
 *     options.instanceId?, sessionTimeoutMs?, heartbeatIntervalMs?, maxBatch?, dedupeWindowMs?,
 *     options.dedupeMaxEntries?, now?
 *     options.dedupeFallback?: DedupeFallback  // e.g. PostgresDedupe; see dedupe-fallback.ts
 *   await service.start()   // creates missing topics, joins the `<prefix>sequencer` group
 *   service.owned()         // partitions it sequences now
 *   service.ready()         // joined, and sequencing every partition the group gave it (/readyz)
 *   await service.close()   // finishes transactions in flight, leaves the group (fast hand-off)
 *
 * Sequencers share the commands partitions through a consumer group; each
 * owned partition runs a PartitionSequencer (partition-sequencer.ts), which
 * takes the partition over from its previous owner (ownership.ts), rebuilds
 * state from the compacted changelog (sequencer-state.ts) and runs the pure
 * sequencer (../sequencer/sequencer.ts). All of an instance's partitions
 * commit through one transactional producer (shared-transactions.ts).
 */
import { randomBytes } from "node:crypto";
import { Consumer } from "@platformatic/kafka";
import type { Logger } from "../../logger.js";
import type { Metrics } from "../../metrics/metrics.js";
import { createEventIdGenerator } from "../../sequencer/event-id.js";
import { closeForced } from "../close-client.js";
import type { DedupeFallback } from "./dedupe-fallback.js";
import { currentOwner, instanceTransactionalId } from "./ownership.js";
import { PartitionSequencer, type WorkerExit } from "./partition-sequencer.js";
import { SharedTransactions } from "./shared-transactions.js";
import { OPTIONS } from "../../config/options.js";
import {
  assignmentGroup,
  joinAssignmentGroup,
  leaveAssignmentGroup,
  type AssignmentGroupOptions,
} from "../group-session.js";
import { SinkWatermark } from "./sink-watermark.js";
import { ensureTopics, type KafkaClusterOptions, type TopicLayout } from "../topics.js";

/** Options of SequencerService. */
export interface SequencerServiceOptions {
  readonly cluster: KafkaClusterOptions;
  readonly logger?: Logger;
  /** Name in client ids and logs. Default: random. */
  readonly instanceId?: string;
  /** Group session timeout: how long a dead sequencer keeps its partitions. Default: the `kafkaSessionTimeoutMs` option's. */
  readonly sessionTimeoutMs?: number;
  /** Group heartbeat interval. Default sessionTimeoutMs / 5. */
  readonly heartbeatIntervalMs?: number;
  /** Most commands per transaction. Default 500. */
  readonly maxBatch?: number;
  /** How far back a new owner rebuilds the cmid dedupe cache. Default 24 h. */
  readonly dedupeWindowMs?: number;
  /** Bound on the dedupe cache per partition (and on the events replayed to fill it). Default 200 000. */
  readonly dedupeMaxEntries?: number;
  /** Clock for event timestamps. Default Date.now. */
  readonly now?: () => number;
  /**
   * Where misses go that a cache cut short by `dedupeMaxEntries` cannot rule
   * out (PostgresDedupe when the node has PostgreSQL). Without it, a retry
   * older than the cache is sequenced as a new event.
   */
  readonly dedupeFallback?: DedupeFallback;
  /** Where batch sizes, transaction times and the commands lag are reported. */
  readonly metrics?: Metrics;
}

/** Backoff before a worker that failed restarts; a fenced one waits for the group to settle. */
const RESTART_MS = 500;

/** The sequencer role: a consumer-group member sequencing its commands partitions. */
export class SequencerService {
  readonly instanceId: string;
  private layout: TopicLayout | undefined;
  private group: Consumer | undefined;
  private reader: Consumer | undefined;
  private readonly workers = new Map<number, PartitionSequencer>();
  private assigned = new Set<number>();
  /** Set by the first group assignment: before it, this instance cannot know which partitions are its own. */
  private joined = false;
  private readonly newId = createEventIdGenerator();
  private watermark: SinkWatermark | undefined;
  private shared: SharedTransactions | undefined;
  private closed = false;

  constructor(private readonly options: SequencerServiceOptions) {
    this.instanceId = options.instanceId ?? randomBytes(4).toString("hex");
  }

  async start(): Promise<void> {
    const { cluster } = this.options;
    this.layout = await ensureTopics(cluster);
    const fallback = this.options.dedupeFallback;
    if (fallback) {
      const onError = (err: unknown) => this.options.logger?.warn({ err }, "sink positions unread");
      this.watermark = new SinkWatermark(fallback, this.layout.names.events, onError);
      this.watermark.start();
    }
    const clientId = this.clientId();
    const sessionTimeout = this.sessionTimeout();
    const heartbeatInterval = this.heartbeatInterval();
    this.reader = new Consumer({
      clientId: `${clientId}-reader`,
      groupId: `${clientId}-unjoined`,
      bootstrapBrokers: [...cluster.brokers],
    });
    const reader = this.reader;
    const ownership = { cluster, layout: this.layout, reader, clientId };
    this.shared = new SharedTransactions({
      cluster,
      clientId,
      transactionalId: instanceTransactionalId(cluster, this.instanceId),
      owner: (p) => currentOwner(ownership, p),
    });
    const groupOptions: AssignmentGroupOptions = {
      brokers: cluster.brokers,
      groupId: `${cluster.topicPrefix ?? "parley."}sequencer`,
      clientId,
      topic: this.layout.names.commands,
      sessionTimeoutMs: sessionTimeout,
      heartbeatIntervalMs: heartbeatInterval,
      onAssignment: (assignments) => this.onAssignment(assignments),
      onError: (err: unknown) => this.options.logger?.warn({ err }, "sequencer group error"),
    };
    this.group = assignmentGroup(groupOptions);
    this.options.metrics?.addLagSource({
      consumer: "sequencer",
      topic: this.layout.names.commands,
      read: () => this.lag(),
    });
    await joinAssignmentGroup(this.group, groupOptions);
  }

  /** Partitions this instance sequences now. */
  owned(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  /**
   * Ready means it can sequence: joined the group, and every partition the
   * group assigned it has fenced the previous owner and rebuilt its state.
   * A member assigned nothing (more sequencers than partitions) is a ready standby.
   */
  ready(): boolean {
    if (this.closed || !this.joined) return false;
    return [...this.assigned].every((p) => this.workers.get(p)?.sequencing ?? false);
  }

  /** Per partition sequenced now, the commands not yet fetched. */
  lag(): Map<number, bigint> {
    const out = new Map<number, bigint>();
    for (const [p, worker] of this.workers) {
      const lag = worker.lag();
      if (lag !== undefined) out.set(p, lag);
    }
    return out;
  }

  /** Finishes in-flight transactions, then leaves the group so another sequencer takes over at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.workers.values()].map((w) => w.stop()));
    this.workers.clear();
    // Transactions end before the group is left: a member that left and then waits (a transaction retrying
    // against deleted topics) rejoins on its own, and a member closed while joining stays open.
    await this.shared?.close();
    await leaveAssignmentGroup(this.group);
    await closeForced(this.reader);
    await this.watermark?.close();
  }

  /** Same as close (the cluster composition calls it stop). */
  stop(): Promise<void> {
    return this.close();
  }

  private sessionTimeout(): number {
    return this.options.sessionTimeoutMs ?? OPTIONS.kafkaSessionTimeoutMs.default;
  }

  private heartbeatInterval(): number {
    return this.options.heartbeatIntervalMs ?? Math.max(100, Math.floor(this.sessionTimeout() / 5));
  }

  private clientId(): string {
    return `${this.options.cluster.clientId ?? "parley"}-sequencer-${this.instanceId}`;
  }

  private onAssignment(assignments: readonly { topic: string; partitions: number[] }[]): void {
    if (this.closed || !this.layout) return;
    const commands = this.layout.names.commands;
    this.assigned = new Set(assignments.filter((a) => a.topic === commands).flatMap((a) => a.partitions));
    this.joined = true;
    this.options.logger?.info({ partitions: [...this.assigned] }, "sequencer assignment");
    for (const [p, worker] of this.workers) {
      if (this.assigned.has(p)) continue;
      this.workers.delete(p);
      void worker.stop();
    }
    for (const p of this.assigned) if (!this.workers.has(p)) this.startWorker(p);
  }

  private startWorker(p: number): void {
    const { layout, reader, group, shared } = this;
    // Assignments come from the group, which start() creates after the layout, the reader and the producer.
    if (!layout || !reader || !group || !shared)
      throw new Error(`sequencer: partition ${p} assigned before start() finished`);
    const worker = new PartitionSequencer({
      cluster: this.options.cluster,
      layout,
      partition: p,
      clientId: this.clientId(),
      reader,
      group,
      maxBatch: this.options.maxBatch ?? 500,
      dedupeWindowMs: this.options.dedupeWindowMs ?? 24 * 3_600_000,
      dedupeMaxEntries: this.options.dedupeMaxEntries ?? 200_000,
      now: this.options.now ?? Date.now,
      newId: this.newId,
      fallback: this.options.dedupeFallback,
      shared,
      watermark: this.watermark,
      onError: (err, partition) => this.options.logger?.warn({ err, partition }, "sequencer partition error"),
      onOwned: (facts) => this.options.logger?.info(facts, "sequencer owns partition"),
      onTransaction: (commands, seconds) => this.observe(commands, seconds),
    });
    this.workers.set(p, worker);
    void worker.done.then((exit) => this.onWorkerExit(p, worker, exit));
  }

  private observe(commands: number, seconds: number): void {
    this.options.metrics?.sequencerBatchSize.observe(commands);
    this.options.metrics?.sequencerTransaction.observe(seconds);
  }

  /**
   * A worker that was fenced or failed restarts only if the group still gives
   * us the partition after a pause; a paused-then-resumed zombie learns from
   * its next heartbeat that it lost the partition, and stays out.
   */
  private onWorkerExit(p: number, worker: PartitionSequencer, exit: WorkerExit): void {
    this.options.logger?.info({ partition: p, exit }, "sequencer worker ended");
    if (this.workers.get(p) !== worker) return;
    this.workers.delete(p);
    if (this.closed || exit === "stopped") return;
    const delay = exit === "fenced" ? Math.max(RESTART_MS, 3 * this.heartbeatInterval()) : RESTART_MS;
    setTimeout(() => {
      if (!this.closed && this.assigned.has(p) && !this.workers.has(p)) this.startWorker(p);
    }, delay).unref();
  }
}
