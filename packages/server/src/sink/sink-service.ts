/**
 * The sink role: a member of the consumer group `<prefix>sink` over the
 * events topic, which only assigns partitions (kafka/group-session.ts, as
 * sequencers and redistributors use it); the sink fetches its partitions
 * itself (PartitionReader, read_committed) and writes every event to
 * PostgreSQL in idempotent batches (SinkWriter), each with the sink's
 * positions in the same transaction. PostgreSQL's positions are where a
 * partition resumes on every assignment (start-positions.ts); the group's
 * offsets in Kafka are committed after each batch, for tools and lag only.
 * Several sinks share the partitions; a sink that dies mid-batch leaves the
 * batch unwritten, so the next owner replays it and ON CONFLICT DO NOTHING
 * drops any repeats.
 *
 * It used the client's group stream until the profile of a sink catching up
 * showed the stream's per-record message objects, commit closures and object
 * stream as a third of its CPU (docs/performance.md, "A sink catching up").
 */
import { setTimeout as sleep } from "node:timers/promises";
import { Consumer } from "@platformatic/kafka";
import type { Logger } from "pino";
import type { RoomEvent } from "@parley/protocol";
import { closeForced } from "../kafka/close-client.js";
import {
  assignmentGroup,
  joinAssignmentGroup,
  leaveAssignmentGroup,
  type AssignmentGroupOptions,
} from "../kafka/group-session.js";
import { PartitionReader, type PartitionBatch } from "../kafka/partition-reader.js";
import type { Metrics } from "../metrics/metrics.js";
import type { PostgresEvents } from "../postgres/events.js";
import type { PostgresSinkPositions } from "../postgres/sink-positions.js";
import { decodeEventRecord, type SinkDecoder } from "./sink-decode.js";
import { SinkLag } from "./sink-lag.js";
import { SinkWriter, type SinkTarget } from "./sink-writer.js";
import { startPositions } from "./start-positions.js";

/** Pause after a failed fetch or start lookup (the broker away), and while the group gives no partition. */
const RETRY_MS = 500;
const IDLE_MS = 100;

/** Options of SinkService. */
export interface SinkServiceOptions {
  readonly brokers: readonly string[];
  /** Topic and group name prefix, e.g. `parley.` → topic `parley.events`, group `parley.sink`. */
  readonly topicPrefix: string;
  readonly events: PostgresEvents;
  /** Where each partition resumes: the positions insertBatch stores with the rows. */
  readonly positions: Pick<PostgresSinkPositions, "read">;
  readonly logger: Logger;
  /** Counts what could not be refilled (`parley_sink_lost_offsets_total`); takes batch times and the events lag. */
  readonly metrics?: Metrics;
  /** Default: the events topic's JSON records (see sink-decode.ts). */
  readonly decode?: SinkDecoder;
  /** Most events per PostgreSQL transaction. Default 1000. */
  readonly maxBatch?: number;
  /** Consumer session timeout: how soon another sink takes over a dead one's partitions. Default 10 000 ms. */
  readonly sessionTimeoutMs?: number;
  readonly clientId?: string;
  /** Told the events of each batch once PostgreSQL committed it, in per-partition order (the notifier's feed). */
  readonly onCommitted?: (events: readonly RoomEvent[]) => void;
}

/**
 * Most bytes a sink fetch asks for (the whole response and each partition; the broker still returns one
 * batch larger than this, so the sink never stalls). The client's default is 10 MiB: a sink catching up
 * (after a restart, or behind a burst) parsed ~10 000 records per partition in one synchronous turn, and in
 * `--role all` that stalled the gateway's event loop 300-550 ms at a time (docs/performance.md, "A sink
 * catching up"). 256 KiB is about one PostgreSQL batch of events (1 000), a few ms of parsing.
 */
export const SINK_FETCH_BYTES = 256 * 1024;

/** Consumes the events topic into PostgreSQL. */
export class SinkService {
  private group: Consumer | undefined;
  private fetcher: Consumer | undefined;
  private reader: PartitionReader | undefined;
  private loop: Promise<void> | undefined;
  private readonly writer: SinkWriter;
  private readonly decode: SinkDecoder;
  private readonly highWater: number;
  private readonly topic: string;
  /** The group's latest assignment; the loop applies it between fetches. */
  private owned = new Set<number>();
  private joined = false;
  /** Per partition being read, the next offset to fetch (set once its start is known). */
  private readonly positions = new Map<number, bigint>();
  private written = 0;
  /** Fetches so far: each asks for the partitions in an order rotated by one (rotated()). */
  private turn = 0;
  private stopped = false;
  /** True from a failed PostgreSQL write or offset commit until the next batch lands (/readyz). */
  private failing = false;
  /** True from a failed fetch until the next one returns (/readyz). */
  private fetchFailing = false;

  constructor(private readonly options: SinkServiceOptions) {
    this.decode = options.decode ?? decodeEventRecord;
    this.topic = `${options.topicPrefix}events`;
    const maxBatch = options.maxBatch ?? 1000;
    this.highWater = maxBatch * 4;
    this.writer = new SinkWriter({
      target: timed(options.events, options.metrics),
      maxBatch,
      onError: (err, what) => {
        this.failing = true;
        options.logger.warn({ err, what }, "sink batch failed; retrying");
      },
      onBatch: (_records, inserted, events) => {
        this.failing = false;
        this.written += inserted;
        options.onCommitted?.(events.map((s) => s.event));
      },
    });
  }

  /** Events inserted since start (repeats not counted). */
  get insertedCount(): number {
    return this.written;
  }

  /** Ready: in the group, fetching, and writing to PostgreSQL without failures. */
  ready(): boolean {
    return !this.stopped && this.joined && !this.failing && !this.fetchFailing && this.loop !== undefined;
  }

  /** Joins the group and reads each assigned partition from PostgreSQL's position (earliest without one). */
  async start(): Promise<void> {
    const { brokers, topicPrefix, logger } = this.options;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const clientId = this.options.clientId ?? `parley-sink-${process.pid}`;
    this.fetcher = new Consumer({
      clientId: `${clientId}-reader`,
      groupId: `${clientId}-unjoined`,
      bootstrapBrokers: [...brokers],
    });
    this.reader = new PartitionReader(this.fetcher, this.topic, { maxWaitMs: 200, maxBytes: SINK_FETCH_BYTES });
    const groupOptions: AssignmentGroupOptions = {
      brokers,
      groupId: `${topicPrefix}sink`,
      clientId,
      topic: this.topic,
      sessionTimeoutMs: sessionTimeout,
      heartbeatIntervalMs: Math.max(100, Math.floor(sessionTimeout / 5)),
      onAssignment: (assignments) => {
        this.owned = new Set(assignments.filter((a) => a.topic === this.topic).flatMap((a) => a.partitions));
        this.joined = true;
      },
      onError: (err: unknown) => logger.warn({ err }, "sink group error"),
    };
    this.group = assignmentGroup(groupOptions);
    this.reportLag();
    await joinAssignmentGroup(this.group, groupOptions);
    this.loop = this.run();
    logger.info({ group: `${topicPrefix}sink` }, "sink started");
  }

  /** Writes what is queued, commits it, and leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    await this.writer.close();
    await leaveAssignmentGroup(this.group);
    await closeForced(this.fetcher);
  }

  private reportLag(): void {
    const lag = new SinkLag({
      consumer: () => this.group as Consumer<Buffer, Buffer, Buffer, Buffer> | undefined,
      topic: this.topic,
      stored: () => this.options.positions.read(this.topic),
      fetched: (p) => this.positions.get(p),
      idle: () => this.writer.backlog === 0,
      onError: (err) => this.options.logger.warn({ err }, "sink lag unread"),
    });
    this.options.metrics?.addLagSource({ consumer: "sink", topic: this.topic, read: () => lag.read() });
  }

  /** Fetches the owned partitions and hands their records to the writer, until stopped. */
  private async run(): Promise<void> {
    const reader = this.reader;
    if (!reader) throw new Error("sink: run before start()");
    while (!this.stopped) {
      try {
        await this.follow();
        if (this.positions.size === 0) {
          await sleep(IDLE_MS);
        } else if (this.writer.backlog >= this.highWater) {
          // Backpressure: while PostgreSQL is slow or down, stop fetching instead of buffering without bound.
          await this.writer.flush();
        } else {
          this.take(await reader.fetch(rotated(this.positions, this.turn++)));
          this.fetchFailing = false;
        }
      } catch (err) {
        this.fetchFailing = true;
        this.options.logger.warn({ err }, "sink fetch failed; retrying");
        await sleep(RETRY_MS);
      }
    }
  }

  /** Drops partitions the group took away; starts the new ones at PostgreSQL's positions. */
  private async follow(): Promise<void> {
    const owned = this.owned;
    for (const p of this.positions.keys()) if (!owned.has(p)) this.positions.delete(p);
    const fresh = [...owned].filter((p) => !this.positions.has(p));
    if (fresh.length === 0 || !this.fetcher) return;
    const { positions, logger, metrics } = this.options;
    const starts = await startPositions(this.fetcher, this.topic, fresh, {
      stored: (topic) => positions.read(topic),
      logger,
      onLost: ({ partition, from, to }) => metrics?.sinkLostOffsets.inc({ partition }, Number(to - from)),
    });
    for (const [p, start] of starts) if (this.owned.has(p)) this.positions.set(p, start);
  }

  private take(fetched: ReadonlyMap<number, PartitionBatch>): void {
    for (const [partition, batch] of fetched) {
      // Taken away while the fetch was in flight: the new owner reads it from PostgreSQL's position.
      if (!this.owned.has(partition)) continue;
      // One closure per partition and fetch, shared by its records (not one per record).
      const commit = (offset: bigint) => this.commitOffset(partition, offset);
      for (const r of batch.records) {
        const stored = this.decode(r.value ?? undefined, r.headers);
        this.writer.add({ stored, topic: this.topic, partition, offset: r.offset, commit });
      }
      this.positions.set(partition, batch.next);
    }
  }

  /** Commits `offset` for `partition` to the group (informational: PostgreSQL's positions are the truth). */
  private async commitOffset(partition: number, offset: bigint): Promise<void> {
    await this.group?.commit({ offsets: [{ topic: this.topic, partition, offset, leaderEpoch: -1 }] });
  }
}

/**
 * `positions` starting at its `turn`-th partition. A fetch fills partitions in the order asked until
 * SINK_FETCH_BYTES, so a fixed order would let the first partitions' backlog starve the last ones.
 */
function rotated(positions: ReadonlyMap<number, bigint>, turn: number): Map<number, bigint> {
  const entries = [...positions];
  const at = entries.length === 0 ? 0 : turn % entries.length;
  return new Map([...entries.slice(at), ...entries.slice(0, at)]);
}

/** The target, with each batch's write time (rows and positions, one transaction) observed as `parley_sink_batch_seconds`. */
function timed(target: SinkTarget, metrics: Metrics | undefined): SinkTarget {
  if (!metrics) return target;
  return {
    async insertBatch(batch, positions) {
      const end = metrics.sinkBatch.startTimer();
      const inserted = await target.insertBatch(batch, positions);
      end();
      return inserted;
    },
  };
}
