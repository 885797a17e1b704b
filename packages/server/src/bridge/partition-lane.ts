/**
 * One source partition's records, handled one at a time in offset order: a
 * record's event is acked (or its dead letter written) before the next record
 * is published, so a room fed from one partition gets its events in partition
 * order, even while a rebalance lets a second bridge replay the same records
 * (whichever publishes a record first creates its event; the other's publish
 * is a duplicate). A record that fails for a transient reason is retried,
 * holding the partition, never dead-lettered for it.
 */
import type { SourceRecord } from "./record-command.js";

/** Handles one record to the end (event acked or dead letter written); throws to be retried. */
export type RecordHandler = (record: SourceRecord, attempt: number) => Promise<void>;

/** What a lane is given. */
export interface PartitionLaneOptions {
  readonly handle: RecordHandler;
  /** Told each record's offset once it is handled: the partition may commit past it. */
  readonly onHandled: (record: SourceRecord) => void;
  /** Told each failed try, with the delay before the next. */
  readonly onRetry: (record: SourceRecord, err: unknown, delayMs: number) => void;
}

/** Retry delays: 100 ms doubling to 5 s, so a broker that is back is noticed within seconds. */
export function retryDelayMs(attempt: number): number {
  return Math.min(5_000, 100 * 2 ** Math.min(attempt, 6));
}

/** The records of one partition that this bridge still has to handle. */
export class PartitionLane {
  private readonly queue: SourceRecord[] = [];
  /** Highest offset queued or handled here: a refetch of it (after a rebalance) is skipped. */
  private lastSeen = -1n;
  private runner: Promise<void> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;

  constructor(private readonly options: PartitionLaneOptions) {}

  /** Records queued and not yet handled. */
  get backlog(): number {
    return this.queue.length;
  }

  /** The next offset this lane has to handle; undefined before its first record. */
  get position(): bigint | undefined {
    return this.queue[0]?.offset ?? (this.lastSeen >= 0n ? this.lastSeen + 1n : undefined);
  }

  /** Queues a record; one already seen by this lane is dropped. */
  push(record: SourceRecord): void {
    if (this.stopped || record.offset <= this.lastSeen) return;
    this.lastSeen = record.offset;
    this.queue.push(record);
    this.runner ??= this.run();
  }

  /** Drops what is queued (the partition went to another bridge); the record in hand finishes. */
  stop(): void {
    this.stopped = true;
    this.queue.length = 0;
    this.wake?.();
  }

  /** Resolves once the record in hand (if any) is finished or abandoned. */
  async idle(): Promise<void> {
    await this.runner;
  }

  /** Always awaits a record first, so `runner` is set before the loop can end and clear it. */
  private async run(): Promise<void> {
    try {
      for (let record = this.queue[0]; record && !this.stopped; record = this.queue[0]) {
        if (await this.handleWithRetries(record)) this.options.onHandled(record);
        this.queue.shift();
      }
    } finally {
      this.runner = undefined;
    }
  }

  /** True once handled; false when the lane stopped first. */
  private async handleWithRetries(record: SourceRecord): Promise<boolean> {
    for (let attempt = 0; !this.stopped; attempt++) {
      try {
        await this.options.handle(record, attempt);
        return true;
      } catch (err) {
        if (this.stopped) return false;
        const delay = retryDelayMs(attempt);
        this.options.onRetry(record, err, delay);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    }
    return false;
  }
}
