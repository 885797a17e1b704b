/**
 * The sink role: one consumer group (`<prefix>sink`) over the events topic,
 * writing every event to PostgreSQL in idempotent batches (SinkWriter), each
 * with the sink's positions in the same transaction. PostgreSQL's positions
 * are where a partition resumes on every assignment (start-positions.ts);
 * the group's offsets in Kafka are committed after each batch, for tools and
 * lag only. Several sinks share the partitions; a sink that dies mid-batch
 * leaves the batch unwritten, so the next owner replays it and ON CONFLICT DO
 * NOTHING drops any repeats.
 */
import { Consumer, FetchIsolationLevels } from "@platformatic/kafka";
import type { Logger } from "pino";
import type { RoomEvent } from "@parley/protocol";
import { committedFetches } from "../kafka/committed-fetch.js";
import { ResumingStream, type RawMessage, type RawStream } from "../kafka/resuming-stream.js";
import type { Metrics } from "../metrics/metrics.js";
import type { PostgresEvents } from "../postgres/events.js";
import type { PostgresSinkPositions } from "../postgres/sink-positions.js";
import { decodeEventRecord, type SinkDecoder } from "./sink-decode.js";
import { SinkLag } from "./sink-lag.js";
import { SinkWriter, type SinkTarget } from "./sink-writer.js";
import { startFromPostgres } from "./start-positions.js";

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
  private consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  private reader: ResumingStream | undefined;
  private readonly writer: SinkWriter;
  private readonly decode: SinkDecoder;
  private readonly highWater: number;
  private written = 0;
  private stopped = false;
  /** True from a failed PostgreSQL write or offset commit until the next batch lands (/readyz). */
  private failing = false;

  constructor(private readonly options: SinkServiceOptions) {
    this.decode = options.decode ?? decodeEventRecord;
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

  private get stream(): RawStream | undefined {
    return this.reader?.current;
  }

  /** Events inserted since start (repeats not counted). */
  get insertedCount(): number {
    return this.written;
  }

  /** Ready: in the group with a live stream, and writing to PostgreSQL without failures. */
  ready(): boolean {
    return !this.stopped && !this.failing && Boolean(this.consumer?.assignments) && this.stream?.closed === false;
  }

  /** Joins the group and starts consuming each assigned partition from PostgreSQL's position (earliest without one). */
  async start(): Promise<void> {
    const { brokers, topicPrefix } = this.options;
    const sessionTimeout = this.options.sessionTimeoutMs ?? 10_000;
    const { positions, logger, metrics } = this.options;
    const consumer = committedFetches(
      new Consumer({
        groupId: `${topicPrefix}sink`,
        clientId: this.options.clientId ?? `parley-sink-${process.pid}`,
        bootstrapBrokers: [...brokers],
        sessionTimeout,
        heartbeatInterval: Math.max(100, Math.floor(sessionTimeout / 5)),
        // Only events from committed sequencer transactions are history.
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
        maxBytes: SINK_FETCH_BYTES,
      }),
    );
    this.consumer = startFromPostgres(consumer, {
      stored: (topic) => positions.read(topic),
      logger,
      onLost: ({ partition, from, to }) => metrics?.sinkLostOffsets.inc({ partition }, Number(to - from)),
    });
    this.reportLag(`${topicPrefix}events`);
    await this.consume();
    this.options.logger.info({ group: `${topicPrefix}sink` }, "sink started");
  }

  private reportLag(topic: string): void {
    const lag = new SinkLag({
      consumer: () => this.consumer,
      topic,
      stored: () => this.options.positions.read(topic),
      fetched: (p) => this.stream?.offsetsToFetch.get(`${topic}:${p}`),
      idle: () => this.writer.backlog === 0 && this.stream?.readableLength === 0,
      onError: (err) => this.options.logger.warn({ err }, "sink lag unread"),
    });
    this.options.metrics?.addLagSource({ consumer: "sink", topic, read: () => lag.read() });
  }

  /**
   * Opens the message stream; "committed" mode asks the consumer for each
   * assigned partition's start, which startFromPostgres answers. A dead stream
   * is reopened (ResumingStream); records queued from the old stream are still
   * written with their positions, the new stream may fetch them again, and rows
   * seen twice are no-ops.
   */
  private async consume(): Promise<void> {
    const consumer = this.consumer;
    if (!consumer) throw new Error("sink: consume before start()");
    this.reader = new ResumingStream({
      consumer,
      topics: [`${this.options.topicPrefix}events`],
      onMessage: (m) => this.onMessage(m),
      logger: this.options.logger,
      name: "sink",
    });
    await this.reader.open();
  }

  /** Writes what is queued, commits it, and leaves the group. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stream?.pause();
    await this.writer.close();
    await this.reader?.close();
    const consumer = this.consumer;
    if (consumer) await new Promise<void>((resolve) => consumer.close(true, () => resolve()));
  }

  private onMessage(m: RawMessage): void {
    this.writer.add({
      stored: this.decode(m.value, m.headers),
      topic: m.topic,
      partition: m.partition,
      offset: m.offset,
      commit: async () => void (await m.commit()),
    });
    // Backpressure: while PostgreSQL is slow or down, stop fetching instead of buffering without bound.
    if (this.writer.backlog >= this.highWater && this.stream && !this.stream.isPaused()) {
      this.stream.pause();
      void this.writer.flush().then(() => this.stream?.resume());
    }
  }
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
