/**
 * The live figures of a `--routing auto` gateway (docs/cluster.md, "Routing: auto"), turned into the
 * GatewayView that `chooseRouting` takes, once per evaluation interval:
 *
 * - events/s: the records the events tail read, when a tail ran through the whole interval (exact);
 *   otherwise the growth of the events topic's end offsets times the records per offset last measured
 *   while the tail ran (offsets also count transaction markers, which no reader sees).
 * - needed events/s: live events of rooms held here (a subscriber or inbox), handed on by either feed
 *   (each once; a join's replay of older events is not counted).
 * - payload bytes: the mean size (key, value, headers) of the events-topic records read, tail or
 *   forwarded (join answers left out).
 * - gateways: as the presence link knows them, this one included.
 *
 * Pure: the caller feeds counts and the end offsets' total.
 */
import type { GatewayView } from "./cost-model.js";

/** What `view` needs besides the counts. */
export interface FigureSample {
  now: number;
  /** Sum of the events topic's end offsets now; undefined when they could not be read. */
  endOffsets: bigint | undefined;
  /** When the running tail started (0: no tail now). */
  tailSince: number;
  gateways: number;
  forwarding: "kafka" | "direct";
}

/** Counts between evaluations. */
export class LiveFigures {
  private tailRecords = 0;
  private readRecords = 0;
  private readBytes = 0;
  private needed = 0;
  private lastAt: number | undefined;
  private lastOffsets: bigint | undefined;
  /** Records per offset of the events topic, as the tail last measured it. */
  private recordsPerOffset = 1;
  private payloadBytes = 0;

  /** Records the events tail read, and their bytes. */
  tailRead(records: number, bytes: number): void {
    this.tailRecords += records;
    this.read(records, bytes);
  }

  /** Events-topic records read from either feed, and their bytes (the payload size). */
  read(records: number, bytes: number): void {
    this.readRecords += records;
    this.readBytes += bytes;
  }

  /** An event of a room held here was handed on. */
  neededEvent(): void {
    this.needed++;
  }

  /** The view over the interval since the last call; undefined on the first call (no interval yet). */
  view(s: FigureSample): GatewayView | undefined {
    const since = this.lastAt;
    const offsets = since === undefined || s.endOffsets === undefined ? undefined : this.lastOffsets;
    const dt = since === undefined ? 0 : (s.now - since) / 1000;
    const tailWhole = since !== undefined && s.tailSince > 0 && s.tailSince <= since;
    const offsetGrowth =
      offsets === undefined || s.endOffsets === undefined ? undefined : Number(s.endOffsets - offsets);
    if (tailWhole && offsetGrowth !== undefined && offsetGrowth > 0) {
      this.recordsPerOffset = Math.min(1, this.tailRecords / offsetGrowth);
    }
    if (this.readRecords > 0) this.payloadBytes = this.readBytes / this.readRecords;
    const events = tailWhole ? this.tailRecords : (offsetGrowth ?? 0) * this.recordsPerOffset;
    const needed = this.needed;
    this.lastAt = s.now;
    this.lastOffsets = s.endOffsets ?? this.lastOffsets;
    this.tailRecords = this.readRecords = this.readBytes = this.needed = 0;
    // No interval yet, or no way to tell the events/s (no tail, end offsets unreadable): no view, no decision.
    if (since === undefined || dt <= 0 || (!tailWhole && offsetGrowth === undefined)) return undefined;
    return {
      gateways: Math.max(1, s.gateways),
      eventsPerSec: events / dt,
      payloadBytes: this.payloadBytes,
      neededEventsPerSec: needed / dt,
      forwarding: s.forwarding,
    };
  }
}
