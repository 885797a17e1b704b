/**
 * Where the sink starts each events partition it is assigned: PostgreSQL's
 * stored position (postgres/sink-positions.ts), never the consumer group's
 * offsets in Kafka, which outlive an emptied or restored database and would
 * skip the rows it lacks. Without a position the sink refills from the
 * earliest offset Kafka retains. What PostgreSQL lacks and Kafka no longer
 * holds is lost for good: reported at error level with the offset range, and
 * counted, and the sink goes on from the earliest retained offset.
 *
 * The sink (sink-service.ts) asks startPositions for every partition the
 * group newly assigns it, on every rebalance.
 */
import { type Consumer, ListOffsetTimestamps } from "@platformatic/kafka";
import type { Logger } from "pino";

/** Offsets PostgreSQL lacks and Kafka no longer holds: `from` inclusive, `to` exclusive. */
export interface LostOffsets {
  readonly topic: string;
  readonly partition: number;
  readonly from: bigint;
  readonly to: bigint;
}

/** What is known of one partition when it is assigned. */
export interface PartitionBounds {
  /** PostgreSQL's position; undefined when it has none (empty, restored from before positions, never written). */
  readonly stored: bigint | undefined;
  /** Kafka's earliest retained offset. */
  readonly earliest: bigint;
  /** Kafka's end offset (the next offset to be written). */
  readonly end: bigint;
}

/** Where to start, and what cannot be refilled, if anything. */
export interface StartDecision {
  readonly start: bigint;
  /** The stored position lies past the end: the topic was recreated, so its offsets start over. */
  readonly recreated?: true;
  readonly lost?: { readonly from: bigint; readonly to: bigint };
}

/** The rule: resume at the stored position; refill from 0 without one; skip only what Kafka no longer has. */
export function startOffset({ stored, earliest, end }: PartitionBounds): StartDecision {
  if (stored !== undefined && stored > end) return { start: earliest, recreated: true };
  const want = stored ?? 0n;
  if (want >= earliest) return { start: want };
  return { start: earliest, lost: { from: want, to: earliest } };
}

/** Options of startPositions. */
export interface StartFromPostgresOptions {
  /** PostgreSQL's positions of a topic (PostgresSinkPositions.read). */
  readonly stored: (topic: string) => Promise<ReadonlyMap<number, bigint>>;
  readonly logger: Logger;
  /** Told about every range that cannot be refilled (the sink's metric). */
  readonly onLost?: (lost: LostOffsets) => void;
}

type Offsets = Map<string, bigint[]>;

/**
 * Where each of `partitions` starts (startOffset), from PostgreSQL's positions and Kafka's earliest and
 * end offsets; reports every decision worth a log line. `consumer` is any client that lists offsets.
 */
export async function startPositions(
  consumer: Pick<Consumer, "listOffsets">,
  topic: string,
  partitions: readonly number[],
  options: StartFromPostgresOptions,
): Promise<Map<number, bigint>> {
  const stored = await options.stored(topic);
  const list = (timestamp: bigint) =>
    consumer.listOffsets({ topics: [topic], partitions: { [topic]: [...partitions] }, timestamp });
  const [earliest, end] = await Promise.all([list(ListOffsetTimestamps.EARLIEST), list(ListOffsetTimestamps.LATEST)]);
  const starts = new Map<number, bigint>();
  for (const partition of partitions) {
    const bounds = {
      stored: stored.get(partition),
      earliest: at(earliest, topic, partition),
      end: at(end, topic, partition),
    };
    const decision = startOffset(bounds);
    report({ topic, partition, bounds, decision }, options);
    starts.set(partition, decision.start);
  }
  return starts;
}

function at(offsets: Offsets, topic: string, partition: number): bigint {
  const offset = offsets.get(topic)?.[partition];
  // A partition the broker gave no offset for fails the assignment (the stream reopens), never reads as 0.
  if (offset === undefined) throw new Error(`${topic}: no offset listed for partition ${partition}`);
  return offset;
}

/** One partition's start, as decided. */
interface PartitionStart {
  readonly topic: string;
  readonly partition: number;
  readonly bounds: PartitionBounds;
  readonly decision: StartDecision;
}

function report({ topic, partition, bounds, decision }: PartitionStart, options: StartFromPostgresOptions): void {
  const facts = { topic, partition, stored: String(bounds.stored), start: String(decision.start) };
  if (decision.recreated) {
    options.logger.warn(facts, "sink position is past the end of the topic (recreated?); starting from its earliest");
  } else if (decision.lost) {
    const { from, to } = decision.lost;
    options.logger.error(
      { ...facts, missingFrom: String(from), missingTo: String(to - 1n), count: String(to - from) },
      "events PostgreSQL lacks are no longer in Kafka and cannot be refilled; history of their rooms has a gap " +
        "(expected once per partition after upgrading from a sink that did not store its positions)",
    );
    options.onLost?.({ topic, partition, from, to });
  } else if (bounds.stored === undefined && bounds.end > decision.start) {
    options.logger.info(facts, "PostgreSQL has no sink position; refilling from Kafka's earliest offset");
  }
}
