/**
 * Reads chosen partitions of one topic at offsets the caller owns (no
 * consumer group, no hidden position), read_committed. The client library's
 * own aborted-transaction filter is wrong in several ways, so the consumer's
 * fetches go through committedFetches (committed-fetch.ts) first.
 */
import { type Consumer, FetchIsolationLevels, ListOffsetTimestamps } from "@platformatic/kafka";
import type { fetchV17 } from "@platformatic/kafka";
import { committedFetches, IS_CONTROL } from "./committed-fetch.js";

type FetchResponsePartition = fetchV17.FetchResponsePartition;

/** One committed record. */
export interface ReadRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: readonly (readonly [Buffer | null, Buffer | null])[];
}

/** What one fetch returned for a partition. */
export interface PartitionBatch {
  readonly records: ReadRecord[];
  /** The offset to fetch next. */
  readonly next: bigint;
}

/** Options of PartitionReader. */
export interface PartitionReaderOptions {
  /** Longest the broker holds a fetch open while no data is available. Default 200 ms. */
  readonly maxWaitMs?: number;
  /** Most bytes per fetch response. Default 16 MiB. */
  readonly maxBytes?: number;
}

/** Fetches committed records from partitions of `topic` at given offsets. */
export class PartitionReader {
  private readonly consumer: Consumer;
  /** Per partition, its end as the latest fetch response reported it (for lag, without a round trip of its own). */
  private readonly ends = new Map<number, bigint>();

  constructor(
    consumer: Consumer,
    readonly topic: string,
    private readonly options: PartitionReaderOptions = {},
  ) {
    this.consumer = committedFetches(consumer);
  }

  /** Fetches once from every partition in `positions`; partitions with nothing new are absent. */
  async fetch(positions: ReadonlyMap<number, bigint>): Promise<Map<number, PartitionBatch>> {
    const metadata = await this.consumer.metadata({ topics: [this.topic] });
    const topic = metadata.topics.get(this.topic);
    if (!topic) throw new Error(`unknown topic ${this.topic}`);
    const byLeader = new Map<number, { partition: number; fetchOffset: bigint }[]>();
    const leaderless: number[] = [];
    for (const [partition, fetchOffset] of positions) {
      const leader = topic.partitions[partition]?.leader ?? -1;
      if (leader < 0) {
        leaderless.push(partition);
        continue;
      }
      const list = byLeader.get(leader) ?? [];
      list.push({ partition, fetchOffset });
      byLeader.set(leader, list);
    }
    // A partition without a known leader (just created, or moving) is never silently left out: the caller retries.
    if (leaderless.length > 0) {
      this.consumer.clearMetadata();
      throw new Error(`${this.topic}: no leader known for partitions ${leaderless.join(",")}`);
    }
    const out = new Map<number, PartitionBatch>();
    const maxBytes = this.options.maxBytes ?? 16 * 1024 * 1024;
    await Promise.all(
      [...byLeader].map(async ([node, parts]) => {
        const response = await this.consumer
          .fetch({
            node,
            maxWaitTime: this.options.maxWaitMs ?? 200,
            minBytes: 1,
            maxBytes,
            isolationLevel: FetchIsolationLevels.READ_COMMITTED,
            topics: [
              {
                topicId: topic.id,
                partitions: parts.map((p) => ({
                  partition: p.partition,
                  fetchOffset: p.fetchOffset,
                  partitionMaxBytes: maxBytes,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                })),
              },
            ],
          })
          .catch((err: unknown) => {
            this.consumer.clearMetadata();
            throw err;
          });
        for (const t of response.responses) for (const p of t.partitions) this.collect(p, positions, out);
      }),
    );
    return out;
  }

  /** Partition `p`'s end (last stable offset) as of the latest fetch that included it; undefined before one. */
  lastFetchedEnd(p: number): bigint | undefined {
    return this.ends.get(p);
  }

  /** Records of partition `p` between `position` and its last fetched end (0 when caught up or never fetched). */
  lagAt(p: number, position: bigint): bigint {
    const end = this.ends.get(p) ?? position;
    return end > position ? end - position : 0n;
  }

  /** Per partition, the offset a read_committed reader ends at now (the last stable offset). */
  async endOffsets(partitions: readonly number[]): Promise<Map<number, bigint>> {
    return this.listOffsets(partitions, ListOffsetTimestamps.LATEST);
  }

  /**
   * Per partition, the end of everything written, decided or not (the high
   * watermark). Reading up to it waits until every transaction written
   * before the call is decided: a commit returns to its producer before the
   * markers that make it visible are written.
   */
  async writtenEnds(partitions: readonly number[]): Promise<Map<number, bigint>> {
    return this.listOffsets(partitions, ListOffsetTimestamps.LATEST, FetchIsolationLevels.READ_UNCOMMITTED);
  }

  /** Per partition, the first offset still retained. */
  async startOffsets(partitions: readonly number[]): Promise<Map<number, bigint>> {
    return this.listOffsets(partitions, ListOffsetTimestamps.EARLIEST);
  }

  /** Per partition, the first offset whose timestamp is at or after `timestampMs` (the end if none). */
  async offsetsAt(partitions: readonly number[], timestampMs: number): Promise<Map<number, bigint>> {
    const at = await this.listOffsets(partitions, BigInt(timestampMs));
    const end = await this.endOffsets(partitions);
    for (const p of partitions) if ((at.get(p) ?? -1n) < 0n) at.set(p, end.get(p) ?? 0n);
    return at;
  }

  private async listOffsets(
    partitions: readonly number[],
    timestamp: bigint,
    isolationLevel: number = FetchIsolationLevels.READ_COMMITTED,
  ): Promise<Map<number, bigint>> {
    const offsets = await this.consumer.listOffsets({
      topics: [this.topic],
      partitions: { [this.topic]: [...partitions] },
      timestamp,
      isolationLevel,
    });
    const list = offsets.get(this.topic) ?? [];
    // A partition the broker gave no offset for must fail the call, not read as 0 (or be skipped).
    const found = new Map<number, bigint>();
    const missing: number[] = [];
    for (const p of partitions) {
      const offset = list[p];
      if (offset === undefined) missing.push(p);
      else found.set(p, offset);
    }
    if (missing.length > 0) throw new Error(`${this.topic}: no offset listed for partitions ${missing.join(",")}`);
    return found;
  }

  private collect(p: FetchResponsePartition, positions: ReadonlyMap<number, bigint>, out: Map<number, PartitionBatch>) {
    const from = positions.get(p.partitionIndex) ?? 0n;
    if (p.errorCode !== 0) throw new Error(`fetch ${this.topic}[${p.partitionIndex}] failed with code ${p.errorCode}`);
    this.ends.set(p.partitionIndex, p.lastStableOffset >= 0n ? p.lastStableOffset : p.highWatermark);
    const batches = p.records ?? [];
    if (batches.length === 0) return;
    const records: ReadRecord[] = [];
    let next = from;
    for (const batch of batches) {
      const last = batch.firstOffset + BigInt(batch.lastOffsetDelta);
      if (last + 1n > next) next = last + 1n;
      if (batch.attributes & IS_CONTROL) continue;
      for (const r of batch.records) {
        const offset = batch.firstOffset + BigInt(r.offsetDelta);
        if (offset < from) continue; // a batch can start before the offset asked for
        records.push({
          partition: p.partitionIndex,
          offset,
          timestamp: Number(batch.firstTimestamp + r.timestampDelta),
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      }
    }
    out.set(p.partitionIndex, { records, next });
  }
}
