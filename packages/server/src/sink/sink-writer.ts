/**
 * The sink's batching core, free of Kafka: records go in as they are
 * consumed; a batch is written to PostgreSQL in one idempotent transaction
 * together with the sink's positions (the offset after each partition's last
 * record), which are where the sink resumes. The consumer group's offsets in
 * Kafka are committed after, for tools and lag only. A crash between the
 * records' consumption and the commit replays them, which the ON CONFLICT
 * makes harmless.
 */
import type { StoredEvent } from "../postgres/events.js";
import type { SinkPosition } from "../postgres/sink-positions.js";

/** One consumed record: its decoded event (undefined for a record that is not an event) and its offset. */
export interface SinkRecord {
  readonly stored: StoredEvent | undefined;
  readonly topic: string;
  readonly partition: number;
  readonly offset: bigint;
  /** Commits `next` (this record's offset + 1) for its partition to the consumer group (informational). */
  readonly commit: (next: bigint) => Promise<void>;
}

/** Where batches go: PostgresEvents in production, a fake in tests. Events and positions commit together. */
export interface SinkTarget {
  insertBatch(batch: readonly StoredEvent[], positions: readonly SinkPosition[]): Promise<number>;
}

/** Options of SinkWriter. */
export interface SinkWriterOptions {
  readonly target: SinkTarget;
  /** Most records per transaction. Default 1000. */
  readonly maxBatch?: number;
  /** Longest a record waits for its batch to start. Default 20 ms. */
  readonly flushIntervalMs?: number;
  /** Pause between retries while PostgreSQL fails. Default 500 ms. */
  readonly retryMs?: number;
  /** Told about failed writes (retried, never dropped) and failed group commits (not retried: PostgreSQL is the truth). */
  readonly onError?: (err: unknown, what: "write" | "commit") => void;
  /** Told after every committed batch, with its events (a replayed batch's events come again). */
  readonly onBatch?: (records: number, inserted: number, events: readonly StoredEvent[]) => void;
}

/** Batches records and their positions into PostgreSQL, then commits group offsets. Flushes run one at a time, in order. */
export class SinkWriter {
  private pending: SinkRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly retryMs: number;

  constructor(private readonly options: SinkWriterOptions) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.flushIntervalMs = options.flushIntervalMs ?? 20;
    this.retryMs = options.retryMs ?? 500;
  }

  /** Records waiting for a batch (the consumer pauses when this grows too large). */
  get backlog(): number {
    return this.pending.length;
  }

  /** Queues a record; a full batch flushes at once, otherwise within flushIntervalMs. */
  add(record: SinkRecord): void {
    if (this.closed) return;
    this.pending.push(record);
    if (this.pending.length >= this.maxBatch) this.flushSoon(0);
    else this.flushSoon(this.flushIntervalMs);
  }

  /** Writes and commits everything queued so far. */
  flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing = this.flushing.then(() => this.drain());
    return this.flushing;
  }

  /** Flushes what is queued, then accepts nothing more. */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Drops what is queued without writing or committing it (a kill: the log replays it later). */
  abandon(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.pending = [];
  }

  private flushSoon(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), delayMs);
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0 && !this.closed) {
      const batch = this.pending.slice(0, this.maxBatch);
      const stored = batch.flatMap((r) => (r.stored ? [r.stored] : []));
      const last = lastPerPartition(batch);
      const positions = last.map((r) => ({ topic: r.topic, partition: r.partition, next: r.offset + 1n }));
      const inserted = await this.retry(() => this.options.target.insertBatch(stored, positions));
      if (inserted === undefined) return;
      this.pending.splice(0, batch.length);
      // PostgreSQL holds the positions now; a failed group commit (a rebalance, say) costs only a stale lag figure.
      await Promise.all(
        last.map((r) => r.commit(r.offset + 1n).catch((err: unknown) => this.options.onError?.(err, "commit"))),
      );
      this.options.onBatch?.(batch.length, inserted, stored);
    }
  }

  /** Retries a write until success or close; undefined when closed first. */
  private async retry<T>(work: () => Promise<T>): Promise<T | undefined> {
    for (;;) {
      try {
        return await work();
      } catch (err) {
        this.options.onError?.(err, "write");
        if (this.closed) return undefined;
        await new Promise((r) => setTimeout(r, this.retryMs));
      }
    }
  }
}

/** Per partition, the last record of the batch (its offset + 1 covers all before it). */
function lastPerPartition(batch: readonly SinkRecord[]): SinkRecord[] {
  const last = new Map<string, SinkRecord>();
  for (const r of batch) last.set(`${r.topic}:${r.partition}`, r);
  return [...last.values()];
}
