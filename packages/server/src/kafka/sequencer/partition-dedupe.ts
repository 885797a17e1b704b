/**
 * The sequencer's cmid cache for one partition, which also knows where it is
 * incomplete. It holds a suffix of the partition's events (oldest evicted
 * first, by age or count), so per room what it lacks is every seq up to the
 * last one evicted. Events that left by AGE are past the dedupe window: a retry
 * that late is out of contract. Events that left by COUNT (or that a rebuild
 * skipped because it hit the count bound) are still inside the window: for
 * that room, until they age out, a cache miss is "unknown", not "new", and the
 * sequencer must ask its DedupeFallback (PostgreSQL). Rooms that never lost a
 * young entry need no fallback, so the common path has no PostgreSQL round trip.
 *
 * With `sunk` (the sink's position on the events partition, stored in PostgreSQL), an
 * entry is evicted by count only once the sink has written it, so whatever the
 * cache lost is already in PostgreSQL; while the sink lags, the cache grows
 * past maxEntries by the lag instead.
 */
import type { RoomEvent } from "@parley/protocol";
import { dedupeKey } from "../../sequencer/sequencer.js";

/** Options of a PartitionDedupe. */
export interface PartitionDedupeOptions {
  /** How long an entry is trusted, in ms. */
  readonly windowMs: number;
  /** Most entries kept (while the sink keeps up). */
  readonly maxEntries: number;
  /** The events offset below which the sink has written everything; absent: evict by count alone. */
  readonly sunk?: () => bigint;
}

interface Entry {
  readonly event: RoomEvent;
  readonly at: number;
  /** The event's offset in the events partition (or an upper bound). */
  readonly offset: bigint;
}

/** Per room: seqs up to `seq` are not cached though still inside the window until `until`. */
export interface Uncached {
  readonly seq: number;
  readonly until: number;
}

/** Recent (room, cmid) → event, bounded by age and count, plus what the bound cost per room. */
export class PartitionDedupe {
  // A Map iterates in insertion order, so its first entries are the oldest.
  private readonly entries = new Map<string, Entry>();
  private readonly uncached = new Map<string, Uncached>();

  constructor(private readonly options: PartitionDedupeOptions) {}

  /** The event sequenced for (room, cmid), if cached and inside the window. */
  get(room: string, cmid: string, now: number): RoomEvent | undefined {
    const entry = this.entries.get(dedupeKey(room, cmid));
    if (!entry) return undefined;
    if (now - entry.at > this.options.windowMs) {
      this.expire(now);
      return undefined;
    }
    return entry.event;
  }

  /** Remembers a committed event at events `offset` (events of a room arrive in seq order). */
  add(event: RoomEvent, at: number, offset: bigint): void {
    const key = dedupeKey(event.room, event.cmid);
    this.entries.delete(key);
    this.entries.set(key, { event, at, offset });
    this.expire(at);
    const sunk = this.options.sunk?.();
    for (const [oldest, entry] of this.entries) {
      if (this.entries.size <= this.options.maxEntries) break;
      if (sunk !== undefined && entry.offset >= sunk) break; // not in PostgreSQL yet: keep it
      this.entries.delete(oldest);
      this.markUncached(entry.event.room, entry.event.seq, entry.at + this.options.windowMs);
    }
  }

  /** Records that a room's seqs up to `seq` are missing from the cache though younger than `until`. */
  markUncached(room: string, seq: number, until: number): void {
    if (seq <= 0) return;
    const was = this.uncached.get(room);
    this.uncached.set(room, { seq: Math.max(seq, was?.seq ?? 0), until: Math.max(until, was?.until ?? 0) });
  }

  /**
   * What a miss in `room` cannot rule out at `now`: undefined when the cache
   * is complete for the room's window (a miss is then a new cmid).
   */
  incomplete(room: string, now: number): Uncached | undefined {
    const gap = this.uncached.get(room);
    if (gap && now > gap.until) this.uncached.delete(room);
    return gap && now <= gap.until ? gap : undefined;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries.size;
  }

  private expire(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at <= this.options.windowMs) break;
      this.entries.delete(key);
    }
  }
}
