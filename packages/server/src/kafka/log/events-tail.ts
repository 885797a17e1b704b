/**
 * Reads every partition of the events topic without a consumer group
 * (read-everything routing: each gateway sees all events) and hands each
 * decoded record to a handler in partition order, so per room in seq order.
 */
import { Consumer } from "@platformatic/kafka";
import { latencyTrace } from "../../metrics/latency-trace.js";
import { closeForced } from "../close-client.js";
import { recordBytes } from "../forwarding.js";
import { decodeEventsRecord, type EventsRecord } from "../records.js";
import { PartitionReader } from "../partition-reader.js";
import type { KafkaClusterOptions, TopicLayout } from "../topics.js";

/** Receives one events-topic record; `live` is false for records that predate start(). */
export type EventsHandler = (record: EventsRecord, live: boolean) => void;

/** Options of EventsTail. */
export interface EventsTailOptions {
  readonly cluster: KafkaClusterOptions;
  readonly layout: TopicLayout;
  readonly clientId: string;
  /** Where to start: every retained record, or at most this many records back per partition. */
  readonly from: "earliest" | { readonly tailPerPartition: number };
  /** Told about fetch errors; the tail retries after 200 ms. Default: console.error. */
  readonly onError?: (err: unknown) => void;
  /** Told how many records each fetch read, and their bytes (`parley_gateway_records_read_total`, `…_bytes_read_total`). */
  readonly onRead?: (records: number, bytes: number) => void;
}

const RETRY_MS = 200;
/** A tail whose last complete read of every partition is older than this is not reading (fetches wait ≤ 500 ms). */
const STALE_MS = 10_000;

/** A background reader of the whole events topic. */
export class EventsTail {
  private readonly consumer: Consumer;
  private readonly reader: PartitionReader;
  private readonly positions = new Map<number, bigint>();
  private liveFrom = new Map<number, bigint>();
  private loop: Promise<void> | undefined;
  private closed = false;
  /** When a fetch last succeeded for every partition; 0 while the last one failed. */
  private readAt = 0;

  constructor(
    private readonly options: EventsTailOptions,
    private readonly handler: EventsHandler,
  ) {
    this.consumer = new Consumer({
      clientId: options.clientId,
      // Required by the client; never joined: positions are ours alone.
      groupId: `${options.clientId}-unjoined`,
      bootstrapBrokers: [...options.cluster.brokers],
    });
    this.reader = new PartitionReader(this.consumer, options.layout.names.events, { maxWaitMs: 500 });
  }

  /** Positions the tail, then resolves once it has handed over every record that was committed at call time. */
  async start(): Promise<void> {
    const partitions = Array.from({ length: this.options.layout.partitions }, (_, i) => i);
    const [first, end] = await Promise.all([this.reader.startOffsets(partitions), this.reader.endOffsets(partitions)]);
    const from = this.options.from;
    for (const p of partitions) {
      const low = first.get(p) ?? 0n;
      const high = end.get(p) ?? 0n;
      const back = from === "earliest" ? low : high - BigInt(from.tailPerPartition);
      this.positions.set(p, back > low ? back : low);
    }
    this.liveFrom = end;
    await this.catchUp(end);
    this.readAt = Date.now();
    this.loop = this.run();
  }

  /**
   * True while the tail reads every partition: its last fetch, covering all
   * of them, succeeded within the last 10 s. False before start() resolves.
   */
  reading(): boolean {
    return !this.closed && this.loop !== undefined && this.readAt > 0 && Date.now() - this.readAt < STALE_MS;
  }

  /** Per partition, committed events this tail has not handed over yet (as of its latest fetch). */
  lag(): Map<number, bigint> {
    return new Map([...this.positions].map(([p, at]) => [p, this.reader.lagAt(p, at)]));
  }

  /** Stops reading; the fetch in flight (at most 500 ms) is discarded. */
  async close(): Promise<void> {
    this.closed = true;
    await this.loop;
    await closeForced(this.consumer);
  }

  private async catchUp(end: ReadonlyMap<number, bigint>): Promise<void> {
    const behind = () => [...end].filter(([p, off]) => (this.positions.get(p) ?? 0n) < off);
    while (!this.closed && behind().length > 0) {
      await this.step(new Map(behind().map(([p]) => [p, this.positions.get(p) ?? 0n])));
    }
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      try {
        await this.step(this.positions);
        this.readAt = Date.now();
      } catch (err) {
        this.readAt = 0;
        if (this.closed) return;
        (this.options.onError ?? ((e) => console.error("parley: events tail:", e)))(err);
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }

  private async step(positions: ReadonlyMap<number, bigint>): Promise<void> {
    const asked = performance.now();
    const batches = await this.reader.fetch(positions);
    if (this.closed) return;
    const fetched = performance.now();
    if (latencyTrace) traceFetch(batches, fetched - asked);
    for (const [p, batch] of batches) {
      const liveFrom = this.liveFrom.get(p) ?? 0n;
      let bytes = 0;
      for (const r of batch.records) {
        bytes += recordBytes(r);
        const rec = decodeEventsRecord(r.value, r.headers);
        if (rec) this.handler(rec, r.offset >= liveFrom);
      }
      this.options.onRead?.(batch.records.length, bytes);
      this.positions.set(p, batch.next);
    }
    latencyTrace?.add("tail.handle", performance.now() - fetched);
  }
}

/** latency-trace.ts: how long the fetch took, and per record how long after the sequencer wrote it it arrived. */
function traceFetch(batches: Map<number, { records: readonly { timestamp: number }[] }>, fetchMs: number): void {
  const now = Date.now();
  let n = 0;
  for (const [, b] of batches) for (const r of b.records) (n++, latencyTrace?.add("tail.visible", now - r.timestamp));
  latencyTrace?.add("tail.fetch", fetchMs);
  latencyTrace?.add("tail.records", n);
}
