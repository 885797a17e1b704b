/**
 * The inbound bridge: a consumer group over external Kafka topics that turns
 * each record into one room event through the one publish pipeline
 * (policy/publish.ts), as a named bot or system user (servicePrincipal).
 *
 * Exactly once (docs/kafka.md, "Inbound topics"): a record's cmid is derived
 * from its topic, partition and offset (record-command.ts), and a partition's
 * offset is committed only past records whose event the log acked (or whose
 * dead letter the broker acked). A crash, restart or rebalance replays at most
 * the records after the committed offset; their publishes carry the same cmid
 * and the log answers them as duplicates, so no record becomes two events.
 */
import { Consumer, FetchIsolationLevels } from "@platformatic/kafka";
import { ERRORS, ParleyError } from "@parley/protocol";
import { servicePrincipal } from "../auth/principal.js";
import { closeForced } from "../kafka/close-client.js";
import { committedFetches } from "../kafka/committed-fetch.js";
import { ResumingStream, type RawMessage, type RawStream } from "../kafka/resuming-stream.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Publisher } from "../policy/publish.js";
import type { BridgeSettings } from "./bridge-config.js";
import { DeadLetters } from "./dead-letters.js";
import type { TopicMapping } from "./mapping.js";
import { PartitionLane } from "./partition-lane.js";
import { recordCommand, type RecordRefusal, type SourceRecord } from "./record-command.js";

/** What a bridge is given at composition. */
export interface BridgeOptions {
  readonly settings: BridgeSettings;
  readonly publisher: Pick<Publisher, "publish">;
  readonly logger: Logger;
  readonly metrics?: Metrics | undefined;
  readonly clientId?: string;
}

/** How often handled offsets are committed: a crash replays at most this much (as duplicates). */
const COMMIT_INTERVAL_MS = 200;
/** Records queued over all partitions before fetching pauses, and where it resumes. */
const HIGH_WATER = 1_000;
const LOW_WATER = 100;
/** Tries of a record failing with INTERNAL or an unknown error before it is dead-lettered (it may be the record). */
const INTERNAL_TRIES = 5;

/** Consumes the mapped topics into rooms. */
export class Bridge {
  private consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  private reader: ResumingStream | undefined;
  private readonly deadLetters: DeadLetters;
  private readonly mappings: ReadonlyMap<string, TopicMapping>;
  private readonly lanes = new Map<string, PartitionLane>();
  /** Per partition, the offset to commit next (one past the last handled record), not yet committed. */
  private readonly handled = new Map<string, { topic: string; partition: number; offset: bigint }>();
  private topicIds = new Map<string, string>();
  private commitTimer: NodeJS.Timeout | undefined;
  private committing: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(private readonly options: BridgeOptions) {
    const { settings } = options;
    this.mappings = new Map(settings.mappings.map((m) => [m.topic, m]));
    this.deadLetters = new DeadLetters({
      brokers: settings.brokers,
      topic: settings.deadLetterTopic,
      partitions: settings.partitions,
      replication: settings.replication,
      clientId: `${this.clientId}-dead-letters`,
    });
  }

  private get stream(): RawStream | undefined {
    return this.reader?.current;
  }

  private get clientId(): string {
    return this.options.clientId ?? `parley-bridge-${process.pid}`;
  }

  /** Opens the dead-letter producer, joins the group and starts consuming. */
  async start(): Promise<void> {
    const { brokers, group, sessionTimeoutMs } = this.options.settings;
    await this.deadLetters.start();
    const consumer = committedFetches(
      new Consumer({
        groupId: group,
        clientId: this.clientId,
        bootstrapBrokers: [...brokers],
        sessionTimeout: sessionTimeoutMs,
        heartbeatInterval: Math.max(100, Math.floor(sessionTimeoutMs / 5)),
        // A transactional producer's aborted records never happened.
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      }),
    );
    this.consumer = consumer;
    const topics = [...this.mappings.keys()];
    const metadata = await consumer.metadata({ topics, autocreateTopics: false }).catch((err: unknown) => {
      throw new Error(`bridge: cannot read the mapped topics ${topics.join(", ")} (each must exist)`, { cause: err });
    });
    this.topicIds = new Map(topics.map((t) => [t, metadata.topics.get(t)?.id ?? ""]));
    consumer.on("consumer:group:join", ({ assignments }) => this.keepOnly(assignments ?? []));
    for (const topic of topics) {
      this.options.metrics?.addLagSource({ consumer: "bridge", topic, read: () => this.lag(topic) });
    }
    await this.consume();
    this.commitTimer = setInterval(() => void this.commitHandled(), COMMIT_INTERVAL_MS);
    this.options.logger.info({ group, topics }, "bridge started");
  }

  /** Finishes the records in hand, commits what was handled, and leaves the group. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.commitTimer);
    this.stream?.pause();
    for (const lane of this.lanes.values()) lane.stop();
    await Promise.all([...this.lanes.values()].map((lane) => lane.idle()));
    await this.commitHandled();
    await this.reader?.close();
    await closeForced(this.consumer);
    await this.deadLetters.close();
  }

  /** Opens the message stream (reopened whenever it dies), each assigned partition from the group's committed offset. */
  private async consume(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error("bridge: consume before start()");
    this.reader = new ResumingStream({
      consumer,
      topics: [...this.mappings.keys()],
      onMessage: (m) => this.onMessage(m),
      logger: this.options.logger,
      name: "bridge",
    });
    await this.reader.open();
  }

  private onMessage(m: RawMessage): void {
    const record: SourceRecord = {
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      key: m.key ?? undefined,
      value: m.value ?? undefined,
      headers: m.headers,
    };
    this.lane(`${m.topic}:${m.partition}`).push(record);
    if (this.backlog() >= HIGH_WATER && this.stream && !this.stream.isPaused()) this.stream.pause();
  }

  private lane(key: string): PartitionLane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = new PartitionLane({
        handle: (record, attempt) => this.handle(record, attempt),
        onHandled: (r) => this.onHandled(r),
        onRetry: (r, err, delayMs) =>
          this.options.logger.warn(
            { err, topic: r.topic, partition: r.partition, offset: String(r.offset), delayMs },
            "bridge record failed; retrying",
          ),
      });
      this.lanes.set(key, lane);
    }
    return lane;
  }

  private backlog(): number {
    let n = 0;
    for (const lane of this.lanes.values()) n += lane.backlog;
    return n;
  }

  private onHandled(record: SourceRecord): void {
    const { topic, partition } = record;
    if (!this.lanes.has(`${topic}:${partition}`)) return; // revoked meanwhile: the new owner commits it
    this.handled.set(`${topic}:${partition}`, { topic, partition, offset: record.offset + 1n });
    if (this.stream?.isPaused() && !this.stopped && this.backlog() <= LOW_WATER) this.stream.resume();
  }

  /** After a rebalance: partitions this bridge lost are another's now; their queued records are dropped. */
  private keepOnly(assignments: readonly { topic: string; partitions: number[] }[]): void {
    const kept = new Set(assignments.flatMap(({ topic, partitions }) => partitions.map((p) => `${topic}:${p}`)));
    for (const [key, lane] of this.lanes) {
      if (kept.has(key)) continue;
      lane.stop();
      this.lanes.delete(key);
      this.handled.delete(key);
    }
  }

  /**
   * Per partition of `topic` this bridge reads: records not yet handled (the partition's last stable
   * offset minus the lane's position). One ListOffsets per scrape; a failure reports nothing.
   */
  private async lag(topic: string): Promise<Map<number, bigint>> {
    const lag = new Map<number, bigint>();
    const consumer = this.consumer;
    if (!consumer || this.stopped) return lag;
    const isolationLevel = FetchIsolationLevels.READ_COMMITTED;
    const ends = await consumer.listOffsets({ topics: [topic], isolationLevel }).catch(() => undefined);
    for (const [key, lane] of this.lanes) {
      const partition = Number(key.slice(key.lastIndexOf(":") + 1));
      const end = ends?.get(topic)?.[partition];
      const at = lane.position;
      if (key.startsWith(`${topic}:`) && end !== undefined && at !== undefined)
        lag.set(partition, end > at ? end - at : 0n);
    }
    return lag;
  }

  /** One record to its end: an acked event (new or duplicate) or a written dead letter. Throws to retry. */
  private async handle(record: SourceRecord, attempt: number): Promise<void> {
    const mapping = this.mappings.get(record.topic);
    if (!mapping) throw new Error(`bridge: no mapping for topic ${record.topic}`);
    const command = recordCommand(record, mapping, this.topicIds.get(record.topic) ?? "");
    if ("code" in command) return this.deadLetter(record, command);
    try {
      const principal = servicePrincipal(mapping.author);
      const result = await this.options.publisher.publish({ principal, command, takeToken: () => true });
      this.options.metrics?.bridgeRecords.inc({ outcome: result?.duplicate ? "duplicate" : "event" });
    } catch (err) {
      const refusal = permanentRefusal(err, attempt);
      if (!refusal) throw err;
      await this.deadLetter(record, refusal);
    }
  }

  private async deadLetter(record: SourceRecord, reason: RecordRefusal): Promise<void> {
    await this.deadLetters.write(record, reason);
    this.options.metrics?.bridgeRecords.inc({ outcome: "dead_letter" });
    const { topic, partition, offset } = record;
    this.options.logger.warn({ topic, partition, offset: String(offset), ...reason }, "bridge record dead-lettered");
  }

  /** Commits every partition's handled offset; a failure (a rebalance under way) is retried at the next tick. */
  private commitHandled(): Promise<void> {
    this.committing = this.committing.then(async () => {
      const consumer = this.consumer;
      if (!consumer || this.handled.size === 0) return;
      const batch = [...this.handled.entries()];
      try {
        await consumer.commit({ offsets: batch.map(([, o]) => ({ ...o, leaderEpoch: -1 })) });
        for (const [key, o] of batch) if (this.handled.get(key)?.offset === o.offset) this.handled.delete(key);
      } catch (err) {
        this.options.logger.debug({ err }, "bridge offset commit failed; retrying");
      }
    });
    return this.committing;
  }
}

/**
 * The refusal a publish failure is dead-lettered with, or undefined to retry it. A catalogued
 * non-retryable code is the record's fault (too large, refused by the room's rules); a retryable
 * one (UNAVAILABLE, SHUTTING_DOWN) is not, and holds the partition until it passes. INTERNAL and
 * unknown errors are retried a few times, then dead-lettered: they may be caused by the record.
 */
export function permanentRefusal(err: unknown, attempt: number): RecordRefusal | undefined {
  const parley = err instanceof ParleyError ? err : undefined;
  const code = parley?.code ?? "INTERNAL";
  if (code !== "INTERNAL" && ERRORS[code].retryable) return undefined;
  if (code === "INTERNAL" && attempt + 1 < INTERNAL_TRIES) return undefined;
  return { code, message: parley?.message ?? String(err) };
}
