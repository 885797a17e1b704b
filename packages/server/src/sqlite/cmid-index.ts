/**
 * The embedded log's dedupe cache, plus the knowledge of which rooms it
 * covers completely. A cache miss normally means "ask the database"; for a
 * room that had no stored events when this process first saw it, and none
 * of whose cached cmids has been evicted or expired since, a miss means
 * "new" for certain, which saves a SELECT per new cmid on the hot path. A
 * hit (a retry) is read back from the database, which has the whole event.
 *
 * Why that is exact: every event of such a room was committed by this process
 * (the embedded log is the only writer of its database) and added here right
 * after COMMIT. DedupeCache evicts only a prefix of its insertion order (the
 * oldest by count, or the expired oldest), and the log never re-adds a key,
 * so `added - size` entries are gone and they are exactly the first ones
 * added. A room whose first cached entry comes after that prefix, and whose
 * oldest entry is within the window, still has all its entries. After a
 * restart a room with events is loaded with lastSeq > 0, so it is never
 * "complete" and its misses go to the database as before.
 */
import { DedupeCache, type DedupeCacheOptions } from "../sequencer/dedupe-cache.js";

/** Where a complete room's entries start: insertion index and earliest timestamp. */
interface Coverage {
  first: number;
  minAt: number;
}

/** What the index knows of a (room, cmid): stored (read it back), provably new, or unknown (ask the database). */
export type CmidKnowledge = "stored" | "new" | "unknown";

/** Recent (room, cmid) keys, and the rooms for which a miss proves a cmid new. */
export class CmidIndex {
  private readonly cache: DedupeCache;
  private added = 0;
  /** Rooms seen empty: `null` until their first event is cached; `false` once no longer complete, for good. */
  private readonly complete = new Map<string, Coverage | null | false>();

  constructor(private readonly options: DedupeCacheOptions) {
    this.cache = new DedupeCache(options);
  }

  /** Records that `room` has no stored events (new, or loaded with lastSeq 0). */
  markEmpty(room: string): void {
    if (!this.complete.has(room)) this.complete.set(room, null);
  }

  /** Remembers a committed event's (room, cmid). */
  add(room: string, cmid: string, now: number): void {
    const coverage = this.complete.get(room);
    if (coverage === null) this.complete.set(room, { first: this.added, minAt: now });
    else if (coverage && now < coverage.minAt) coverage.minAt = now;
    this.cache.add(room, cmid, now);
    this.added++;
  }

  /** Whether (room, cmid) has a stored event, provably has none, or is unknown here. */
  find(room: string, cmid: string, now: number): CmidKnowledge {
    if (this.cache.has(room, cmid, now)) return "stored";
    return this.isComplete(room, now) ? "new" : "unknown";
  }

  private isComplete(room: string, now: number): boolean {
    const coverage = this.complete.get(room);
    if (coverage === undefined || coverage === false) return false;
    if (coverage === null) return true;
    const evicted = this.added - this.cache.size;
    if (coverage.first >= evicted && now - coverage.minAt <= this.options.windowMs) return true;
    // Some of the room's cmids may be gone from the cache: from now on its misses ask the database.
    this.complete.set(room, false);
    return false;
  }
}
