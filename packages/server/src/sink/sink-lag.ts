/**
 * The sink's consumer lag: per events partition it owns, the partition's end
 * minus the position PostgreSQL stores with the rows (postgres/sink-positions.ts),
 * so it counts the events not yet in PostgreSQL (the fetch position would
 * not: a sink stuck on PostgreSQL keeps fetching until its backlog is full).
 * Ends and positions come from one listOffsets and one query, at most every
 * REFRESH_MS, when a scrape asks: never a round trip per message. A stored position stops before the
 * sequencer's transaction markers (they are not records the sink writes), so
 * while the sink holds nothing unwritten its fetch position, past them, counts.
 */
import { FetchIsolationLevels, type Consumer } from "@platformatic/kafka";

/** A scrape reuses offsets younger than this. */
const REFRESH_MS = 2_000;

type AnyConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** What SinkLag reads from its sink. */
export interface SinkLagSource {
  consumer(): AnyConsumer | undefined;
  readonly topic: string;
  /** PostgreSQL's positions on the topic, by partition. */
  stored(): Promise<ReadonlyMap<number, bigint>>;
  /** The stream's fetch position on partition `p`, if it has one. */
  fetched(p: number): bigint | undefined;
  /** True while every fetched record is written (nothing queued or being written). */
  idle(): boolean;
  onError(err: unknown): void;
}

/** Reads the sink's lag on `topic`, throttled. */
export class SinkLag {
  private last: { at: number; lag: Promise<Map<number, bigint>> } | undefined;

  constructor(private readonly sink: SinkLagSource) {}

  /** Per owned partition, events not yet written to PostgreSQL; empty while unknown (not joined, broker away). */
  read(): Promise<Map<number, bigint>> {
    const now = Date.now();
    if (!this.last || now - this.last.at >= REFRESH_MS) {
      const lag = this.fetch().catch((err: unknown) => {
        this.sink.onError(err);
        return new Map<number, bigint>();
      });
      this.last = { at: now, lag };
    }
    return this.last.lag;
  }

  private async fetch(): Promise<Map<number, bigint>> {
    const consumer = this.sink.consumer();
    const topic = this.sink.topic;
    const partitions = (consumer?.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions);
    if (!consumer || partitions.length === 0) return new Map();
    const [ends, stored] = await Promise.all([
      consumer.listOffsets({
        topics: [topic],
        partitions: { [topic]: partitions },
        isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      }),
      this.sink.stored(),
    ]);
    const out = new Map<number, bigint>();
    for (const p of partitions) {
      const end = ends.get(topic)?.[p];
      if (end === undefined) continue;
      // None stored: the sink refills from the earliest offset (0 here, an upper bound).
      let at = stored.get(p) ?? 0n;
      const fetched = this.sink.fetched(p);
      if (fetched !== undefined && fetched > at && this.sink.idle()) at = fetched;
      const lag = end - at;
      out.set(p, lag > 0n ? lag : 0n);
    }
    return out;
  }
}
