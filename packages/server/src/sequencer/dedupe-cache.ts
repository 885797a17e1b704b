import { dedupeKey } from "./sequencer.js";

/** Options of a DedupeCache. */
export interface DedupeCacheOptions {
  /** How long an entry is trusted, in ms. */
  readonly windowMs: number;
  /** Most entries kept; the oldest go first so memory stays bounded. */
  readonly maxEntries: number;
}

/**
 * Recent (room, cmid) keys with the time they were added, bounded by age and
 * count. It holds keys only, not events: a full cache (200 000 entries by
 * default) then stays at about 100 bytes an entry instead of ~600, which
 * keeps old-space GC pauses short. A hit means "stored: read it back" (rare,
 * only retries); a miss means "unknown here", not "new".
 */
export class DedupeCache {
  // A Map iterates in insertion order, so its first entries are the oldest.
  private readonly entries = new Map<string, number>();

  constructor(private readonly options: DedupeCacheOptions) {}

  /** True if (room, cmid) was added within the window. */
  has(room: string, cmid: string, now: number): boolean {
    const at = this.entries.get(dedupeKey(room, cmid));
    if (at === undefined) return false;
    if (now - at > this.options.windowMs) {
      this.evictExpired(now);
      return false;
    }
    return true;
  }

  /** Remembers a committed (room, cmid). */
  add(room: string, cmid: string, now: number): void {
    const key = dedupeKey(room, cmid);
    this.entries.delete(key);
    this.entries.set(key, now);
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
    for (const [key, at] of this.entries) {
      if (now - at <= this.options.windowMs) break;
      this.entries.delete(key);
    }
  }
}
