/**
 * The redistributor role (`parley start --role redistributor`, docs/cluster.md
 * "Routing"): one consumer group (`<prefix>redistributor`) over the events
 * topic, so redistributors share its partitions and take over from one
 * another on a rebalance or a death. Each owned partition runs a
 * PartitionForwarder, which forwards every record to the gateways that
 * want it according to the InterestTable the BackchannelReader keeps from
 * `<prefix>interest`. The table is loaded before the group is joined, so no
 * partition is routed without it.
 */
import { randomBytes } from "node:crypto";
import { Consumer } from "@platformatic/kafka";
import { OPTIONS } from "../../config/options.js";
import type { Logger } from "../../logger.js";
import { closeForced } from "../close-client.js";
import type { ForwardSender } from "../forwarding.js";
import {
  assignmentGroup,
  joinAssignmentGroup,
  leaveAssignmentGroup,
  type AssignmentGroupOptions,
} from "../group-session.js";
import { DirectForwardSender } from "../direct-forwarding.js";
import { KafkaForwardSender } from "../kafka-forwarding.js";
import { ensureInterestTopic } from "../log/interest-writer.js";
import { PartitionReader } from "../partition-reader.js";
import { ensureTopics, partitionFor, type KafkaClusterOptions, type TopicLayout } from "../topics.js";
import { BackchannelReader } from "./backchannel-reader.js";
import { InterestJanitor } from "./interest-janitor.js";
import { InterestTable } from "./interest-table.js";
import { PartitionForwarder } from "./partition-forwarder.js";

/** Options of RedistributorService. */
export interface RedistributorServiceOptions {
  readonly cluster: KafkaClusterOptions;
  readonly logger?: Logger;
  /** Name in client ids and logs. Default: random. */
  readonly instanceId?: string;
  /** Group session: how long a dead redistributor keeps its partitions. Default: the `kafkaSessionTimeoutMs` option's. */
  readonly sessionTimeoutMs?: number;
  /** How records reach gateways. Default: as each gateway's lease asks, directly or on its forward topic. */
  readonly sender?: ForwardSender;
  /** Records read back per partition at start to answer joins. Default 5000. */
  readonly warmupPerPartition?: number;
  /** Events per room held for joins. Default 1000. */
  readonly perRoom?: number;
  /** How long a gateway's lease must have lapsed before its backchannel records are tombstoned. Default 60 000 ms. */
  readonly expiredGraceMs?: number;
  /** Told the records read and forwards sent by each fetch. */
  readonly onBatch?: (records: number, forwards: number) => void;
}

/** A member of the redistributor group. */
export class RedistributorService {
  readonly instanceId: string;
  private layout: TopicLayout | undefined;
  private group: Consumer | undefined;
  private backchannel: BackchannelReader | undefined;
  private sender: ForwardSender | undefined;
  private readonly table = new InterestTable();
  private readonly workers = new Map<number, { forwarder: PartitionForwarder; reader: Consumer }>();
  private janitor: InterestJanitor | undefined;
  private janitorTimer: NodeJS.Timeout | undefined;
  private joined = false;
  private closed = false;

  constructor(private readonly options: RedistributorServiceOptions) {
    this.instanceId = options.instanceId ?? randomBytes(4).toString("hex");
  }

  async start(): Promise<void> {
    const { cluster } = this.options;
    this.layout = await ensureTopics(cluster);
    const clientId = `${cluster.clientId ?? "parley"}-redistributor-${this.instanceId}`;
    // Each gateway's lease says how it takes records: directly (its inbox URL) or on its forward topic.
    this.sender =
      this.options.sender ?? new DirectForwardSender((g) => this.table.directInbox(g), new KafkaForwardSender(cluster));
    const interest = await ensureInterestTopic(cluster);
    this.backchannel = new BackchannelReader({
      brokers: cluster.brokers,
      topic: interest,
      clientId: `${clientId}-interest`,
      table: this.table,
      onDeclare: (rec) => this.workerOf(rec.room)?.forwarder.join(rec.gateway, rec.room, rec.after),
      onError: (err) => this.options.logger?.warn({ err }, "redistributor backchannel error"),
    });
    await this.backchannel.start();
    this.startJanitor(interest);
    const sessionTimeout = this.options.sessionTimeoutMs ?? OPTIONS.kafkaSessionTimeoutMs.default;
    const groupOptions: AssignmentGroupOptions = {
      brokers: cluster.brokers,
      groupId: `${cluster.topicPrefix ?? "parley."}redistributor`,
      clientId,
      topic: this.layout.names.events,
      sessionTimeoutMs: sessionTimeout,
      heartbeatIntervalMs: Math.max(100, Math.floor(sessionTimeout / 5)),
      onAssignment: (assignments) => this.onAssignment(assignments),
      onError: (err: unknown) => this.options.logger?.warn({ err }, "redistributor group error"),
    };
    this.group = assignmentGroup(groupOptions);
    await joinAssignmentGroup(this.group, groupOptions);
  }

  /** Gateways with a live lease: those it routes to. */
  liveGateways(): number {
    return this.table.liveGateways().length;
  }

  /** Events partitions this member forwards now. */
  owned(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  /** Joined the group and reading the backchannel (a member given no partition is a ready standby). */
  ready(): boolean {
    return !this.closed && this.joined && (this.backchannel?.reading() ?? false);
  }

  /** Stops forwarding and leaves the group, so another member takes over at once. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.janitorTimer);
    await this.janitor?.close();
    await Promise.all([...this.workers.keys()].map((p) => this.stopWorker(p)));
    await leaveAssignmentGroup(this.group);
    await this.backchannel?.close();
    await this.sender?.close();
  }

  /** Same as close (the cluster composition calls it stop). */
  stop(): Promise<void> {
    return this.close();
  }

  /** Every 10 s, tombstones the backchannel records of gateways dead for expiredGraceMs (interest-janitor.ts). */
  private startJanitor(topic: string): void {
    const janitor = new InterestJanitor(this.options.cluster, topic, this.table, this.options.expiredGraceMs ?? 60_000);
    this.janitor = janitor;
    this.janitorTimer = setInterval(() => {
      janitor.sweep().then(
        (gateways) => gateways.length > 0 && this.options.logger?.info({ gateways }, "expired gateways cleaned"),
        (err: unknown) => this.options.logger?.warn({ err }, "expired gateways not cleaned"),
      );
    }, 10_000);
    this.janitorTimer.unref();
  }

  private workerOf(room: string) {
    return this.layout && this.workers.get(partitionFor(room, this.layout.partitions));
  }

  private onAssignment(assignments: readonly { topic: string; partitions: number[] }[]): void {
    if (this.closed || !this.layout) return;
    const events = this.layout.names.events;
    const assigned = new Set(assignments.filter((a) => a.topic === events).flatMap((a) => a.partitions));
    this.joined = true;
    this.options.logger?.info({ partitions: [...assigned] }, "redistributor assignment");
    for (const p of this.workers.keys()) if (!assigned.has(p)) void this.stopWorker(p);
    for (const p of assigned) if (!this.workers.has(p)) this.startWorker(p);
  }

  private startWorker(p: number): void {
    const { layout, group, sender } = this;
    if (!layout || !group || !sender) throw new Error(`redistributor: partition ${p} assigned before start() finished`);
    const { cluster } = this.options;
    // A consumer (connection) per partition: one partition's idle long-poll must not delay another's fetch.
    const reader = new Consumer({
      clientId: `${cluster.clientId ?? "parley"}-redistributor-${this.instanceId}-p${p}`,
      groupId: `${cluster.clientId ?? "parley"}-redistributor-${this.instanceId}-unjoined`,
      bootstrapBrokers: [...cluster.brokers],
    });
    const forwarder = new PartitionForwarder({
      partition: p,
      topic: layout.names.events,
      reader: new PartitionReader(reader, layout.names.events, { maxWaitMs: 200 }),
      group,
      table: this.table,
      sender,
      warmup: this.options.warmupPerPartition ?? 5000,
      perRoom: this.options.perRoom ?? 1000,
      joinMaxBytes: 512 * 1024,
      onError: (err) => this.options.logger?.warn({ err, partition: p }, "redistributor partition error"),
      onBatch: this.options.onBatch,
    });
    this.workers.set(p, { forwarder, reader });
    forwarder.start();
  }

  private async stopWorker(p: number): Promise<void> {
    const worker = this.workers.get(p);
    if (!worker) return;
    this.workers.delete(p);
    await worker.forwarder.stop();
    await closeForced(worker.reader);
  }
}
