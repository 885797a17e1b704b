import type { RoomEvent } from "@parley/protocol";
import { dedupeKey } from "./sequencer.js";

/** Options of a DedupeCache. */
export interface DedupeCacheOptions {
  /** How long an entry is trusted, in ms. */
  readonly windowMs: number;
  /** Most entries kept; the oldest go first so memory stays bounded. */
  readonly maxEntries: number;
}

interface Entry {
  readonly event: RoomEvent;
  readonly at: number;
}

/**
 * Recent (room, cmid) → event, bounded by age and count. A miss means
 * "unknown here", not "new": the caller must then ask the store, whose
 * UNIQUE(room, cmid) makes dedupe hold for as long as events are retained.
 */
export class DedupeCache {
  // A Map iterates in insertion order, so its first entries are the oldest.
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: DedupeCacheOptions) {}

  /** The event sequenced for (room, cmid), if still cached. */
  get(room: string, cmid: string, now: number): RoomEvent | undefined {
    const entry = this.entries.get(dedupeKey(room, cmid));
    if (!entry) return undefined;
    if (now - entry.at > this.options.windowMs) {
      this.evictExpired(now);
      return undefined;
    }
    return entry.event;
  }

  /** Remembers a committed event. */
  add(event: RoomEvent, now: number): void {
    const key = dedupeKey(event.room, event.cmid);
    this.entries.delete(key);
    this.entries.set(key, { event, at: now });
    if (this.entries.size > this.options.maxEntries) this.evictOldest(this.entries.size - this.options.maxEntries);
  }

  /** Number of cached entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Forgets everything (e.g. after the store was replaced). */
  clear(): void {
    this.entries.clear();
  }

  private evictOldest(count: number): void {
    for (const key of this.entries.keys()) {
      if (count-- <= 0) break;
      this.entries.delete(key);
    }
  }

  private evictExpired(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.at <= this.options.windowMs) break;
      this.entries.delete(key);
    }
  }
}
