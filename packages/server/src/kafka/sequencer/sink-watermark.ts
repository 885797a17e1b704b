/**
 * How far the sink has written each events partition to PostgreSQL, as the
 * store itself says (DedupeFallback.writtenBelow: the sink's positions, stored
 * in the transaction that writes the rows, so every event below them is
 * stored). Not the sink group's offsets in Kafka: those outlive an emptied or
 * restored database. Polled off the sequencing path; the sequencer's cache
 * keeps what lies above.
 */
import type { DedupeFallback } from "./dedupe-fallback.js";

/** Polls the store's sink positions on the events topic. */
export class SinkWatermark {
  private offsets: ReadonlyMap<number, bigint> = new Map();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Pick<DedupeFallback, "writtenBelow">,
    private readonly eventsTopic: string,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** The offset below which events partition `p` is stored (0 before the sink wrote anything). */
  get(p: number): bigint {
    return this.offsets.get(p) ?? 0n;
  }

  /**
   * Reads the positions now. Taken as they are, even lower than before: a
   * restored database holds less, and a lower watermark only keeps more in the cache.
   */
  async refresh(): Promise<void> {
    this.offsets = await this.store.writtenBelow(this.eventsTopic);
  }

  /** Refreshes every `intervalMs` until closed. */
  start(intervalMs = 1000): void {
    const tick = () => void this.refresh().catch(this.onError);
    this.timer ??= setInterval(tick, intervalMs);
    this.timer.unref();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
  }
}
