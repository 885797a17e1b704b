/**
 * The sequencer's second opinion on a cmid its cache cannot rule out (see
 * partition-dedupe.ts): the durable copy of the events, PostgreSQL in
 * production (postgres-dedupe.ts). Asked once per transaction batch, only
 * for misses in rooms whose cache lost events still inside the window.
 *
 * The sink lags the sequencer, so "not in PostgreSQL" proves nothing for an
 * event the cache evicted but the sink has not written yet. Two rules:
 * - with a fallback, the cache never evicts (by count) an entry whose events
 *   offset the store does not hold yet (writtenBelow; partition-dedupe.ts), and a
 *   rebuild never skips such events: cache + PostgreSQL cover the window;
 * - an answer counts for a room only when the store has written it up to the
 *   last seq the cache lost (`storedThrough >= needSeq`, same epoch); the sink
 *   writes each partition in order, so every lower seq is there too. If not
 *   (the store was restored from an older backup, say), the batch asks again.
 * When the store fails or stays behind past `maxWaitMs`, the open probes are
 * sequenced as new and reported: sequencing does not stop for a PostgreSQL
 * outage, at the price that a retry older than the cache, arriving during
 * the outage, becomes a second event (and a gap in PostgreSQL).
 */
import type { RoomEvent } from "@parley/protocol";
import { dedupeKey } from "../../sequencer/sequencer.js";

/** One cmid to look up, with the epoch of the room's current stream (older epochs' rows do not count). */
export interface DedupeProbe {
  readonly room: string;
  readonly cmid: string;
  readonly epoch: string;
}

/** What the store knows about a set of probes. */
export interface DedupeAnswer {
  /** dedupeKey(room, cmid) → the stored original event. */
  readonly found: ReadonlyMap<string, RoomEvent>;
  /** Per probed room: the highest seq the store has written contiguously in that epoch (absent: none). */
  readonly storedThrough: ReadonlyMap<string, number>;
}

/** The durable lookup behind the cache. */
export interface DedupeFallback {
  find(probes: readonly DedupeProbe[]): Promise<DedupeAnswer>;
  /**
   * Per partition of `eventsTopic`, the offset below which every event is in the store (the sink's positions,
   * written with its rows): the sink watermark (sink-watermark.ts). A partition never written is absent.
   */
  writtenBelow(eventsTopic: string): Promise<ReadonlyMap<number, bigint>>;
}

/** A probe and the seq the store must have reached for its answer to count. */
export interface PendingProbe extends DedupeProbe {
  readonly needSeq: number;
}

/** How resolveProbes waits. */
export interface ResolveOptions {
  /** Pause between asks while the store is behind. Default 200 ms. */
  readonly retryMs?: number;
  /** Longest a batch waits for the store before its open probes count as new. Default 5 000 ms. */
  readonly maxWaitMs?: number;
  /** True once the caller gives up (the worker is stopping): rejects then. */
  readonly stopped: () => boolean;
  /** Told about probes that could not be settled and are sequenced as new, and why. */
  readonly onGiveUp?: (open: readonly PendingProbe[], reason: unknown) => void;
}

/**
 * Asks the fallback until every probe is settled: found, or its room written
 * far enough that absence proves the cmid new. Resolves with the found events.
 */
export async function resolveProbes(
  fallback: Pick<DedupeFallback, "find">,
  probes: readonly PendingProbe[],
  o: ResolveOptions,
): Promise<Map<string, RoomEvent>> {
  const found = new Map<string, RoomEvent>();
  const deadline = Date.now() + (o.maxWaitMs ?? 5_000);
  let open = probes;
  let reason: unknown;
  while (open.length > 0) {
    if (o.stopped()) throw new Error("stopped while waiting for the dedupe fallback");
    try {
      const answer = await withDeadline(fallback.find(open), deadline);
      for (const [key, event] of answer.found) found.set(key, event);
      open = open.filter((p) => !settled(p, answer));
      reason = new Error(`the store is behind for rooms ${[...new Set(open.map((p) => p.room))].join(", ")}`);
    } catch (err) {
      reason = err;
      break; // A failing store is not waited for: every batch would stall for the whole outage.
    }
    if (open.length === 0 || Date.now() + (o.retryMs ?? 200) > deadline) break;
    await new Promise((r) => setTimeout(r, o.retryMs ?? 200));
  }
  if (open.length > 0) o.onGiveUp?.(open, reason);
  return found;
}

function settled(p: PendingProbe, answer: DedupeAnswer): boolean {
  return answer.found.has(dedupeKey(p.room, p.cmid)) || (answer.storedThrough.get(p.room) ?? 0) >= p.needSeq;
}

/** Rejects when `deadline` passes first (a hung PostgreSQL must not hang sequencing). */
function withDeadline<T>(work: Promise<T>, deadline: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("dedupe fallback timed out")), Math.max(0, deadline - Date.now()));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
