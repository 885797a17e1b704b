/**
 * Reads that merge the sink's history with a gateway's recent-events buffer.
 * The buffer holds the newest events this gateway consumed; the history
 * holds everything the sink has written, possibly lagging. Together they
 * are gap-free as long as the sink's lag fits in the buffer; when it does
 * not, a read waits for the sink rather than return a gap. A lagging sink
 * may not have applied a delete the buffer holds yet: history rows get the
 * buffer's deletes applied (chat/tombstones.ts) before they are returned.
 */
import { ParleyError, type RoomEvent } from "@parley/protocol";
import type { HistorySource } from "../../log/history-source.js";
import type { RecentBuffer } from "./recent-buffer.js";
import { withTombstones } from "../../chat/tombstones.js";

/** The two sources and how long to wait for a lagging sink. */
export interface MergedSources {
  readonly history: HistorySource;
  readonly recent: RecentBuffer;
  readonly waitMs: number;
}

const POLL_MS = 50;

/** History with the deletes the buffer holds applied, as the sink will have applied them once it catches up. */
function historyOf(s: MergedSources, room: string) {
  const fix = (events: RoomEvent[]) => withTombstones(events, s.recent.deletedIn(room));
  return {
    read: async (afterSeq: number, limit: number) => fix(await s.history.read(room, afterSeq, limit)),
    readBefore: async (beforeSeq: number, limit: number) => fix(await s.history.readBefore(room, beforeSeq, limit)),
  };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Events with `afterSeq < seq`, ascending, at most `limit`, with no gap between history and buffer. */
export async function readMerged(
  s: MergedSources,
  room: string,
  afterSeq: number,
  limit: number,
): Promise<RoomEvent[]> {
  const deadline = Date.now() + s.waitMs;
  const history = historyOf(s, room);
  for (;;) {
    const first = s.recent.firstSeq(room);
    if (first !== undefined && afterSeq + 1 >= first) return s.recent.after(room, afterSeq, limit);
    const hist = await history.read(afterSeq, limit);
    if (hist.length >= limit || first === undefined) return hist;
    const lastHist = hist.at(-1)?.seq ?? afterSeq;
    const firstNow = s.recent.firstSeq(room) ?? first;
    if (lastHist + 1 >= firstNow) return [...hist, ...s.recent.after(room, lastHist, limit - hist.length)];
    if (Date.now() >= deadline) {
      throw new ParleyError(
        "UNAVAILABLE",
        `history of ${room} lags behind the recent buffer (has ${lastHist}, buffer from ${firstNow})`,
      );
    }
    await sleep(POLL_MS);
  }
}

/** The newest `limit` events with `seq < beforeSeq`, ascending. */
export async function readBeforeMerged(
  s: MergedSources,
  room: string,
  beforeSeq: number,
  limit: number,
): Promise<RoomEvent[]> {
  const deadline = Date.now() + s.waitMs;
  const history = historyOf(s, room);
  for (;;) {
    const first = s.recent.firstSeq(room);
    if (first === undefined || beforeSeq <= first) return history.readBefore(beforeSeq, limit);
    const fromBuffer = s.recent.before(room, beforeSeq, limit);
    const low = fromBuffer[0]?.seq ?? first;
    if (fromBuffer.length >= limit || low <= 1) return fromBuffer;
    const hist = await history.readBefore(low, limit - fromBuffer.length);
    const joined = hist.at(-1)?.seq === low - 1;
    // An empty history below the buffer is either a lagging sink or trimmed retention: wait, then accept.
    if (joined || Date.now() >= deadline) return joined ? [...hist, ...fromBuffer] : fromBuffer;
    await sleep(POLL_MS);
  }
}
