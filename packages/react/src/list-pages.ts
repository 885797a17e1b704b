/**
 * The on-demand reads of a room's message list: an older page, a jump to a
 * message far back (the page around it, leaving one gap up to the newest
 * run), and the next page into that gap. Each reads and writes the list
 * through `ref`/`commit`, the same state the live loader feeds.
 */
import type { Room, RoomEvent } from "@parley/client";
import { findHoles, mergeEvents } from "./merge.js";

/** A room's loaded events: a contiguous run ending at the head once ready (holes are filled). */
export interface ListState {
  events: RoomEvent[];
  epoch: string | undefined;
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  /** After a jump far back: the list has a gap after this seq, up to the newest run (filled by `loadNewer`). */
  gapAfter: number | undefined;
  loadingNewer: boolean;
  error: Error | undefined;
}

/** Where the list lives: the latest state and how to replace it. */
export interface ListStore {
  room: Room;
  pageSize: number;
  ref: { current: ListState };
  commit(s: ListState): void;
}

/** Loads one page before the oldest loaded event. */
export async function loadOlderPage({ room, pageSize, ref, commit }: ListStore): Promise<void> {
  const s = ref.current;
  if (!s.ready || !s.hasOlder || s.loadingOlder) return;
  const oldest = s.events[0]?.seq;
  if (oldest === undefined || oldest <= 1) return commit({ ...s, hasOlder: false });
  commit({ ...s, loadingOlder: true });
  try {
    const page = await room.history({ before: oldest, limit: pageSize });
    const cur = ref.current;
    if (cur.epoch !== undefined && page.epoch !== cur.epoch) return commit({ ...cur, loadingOlder: false });
    commit({ ...cur, events: mergeEvents(cur.events, page.events), hasOlder: page.hasMore, loadingOlder: false });
  } catch (error) {
    commit({ ...ref.current, loadingOlder: false, error: error as Error });
  }
}

/**
 * Makes message `seq` part of the list without reading everything after it:
 * reads the page around it and keeps the newest contiguous run, with one gap
 * between them (`gapAfter`) that `loadNewerPage` fills on demand.
 */
export async function jumpToPage({ room, pageSize, ref, commit }: ListStore, seq: number): Promise<void> {
  const s = ref.current;
  if (!s.ready || s.loadingOlder || s.loadingNewer || s.events.some((e) => e.seq === seq)) return;
  commit({ ...s, loadingOlder: true });
  try {
    const page = await room.history({ after: Math.max(0, seq - Math.ceil(pageSize / 2)), limit: pageSize });
    const cur = ref.current;
    if (cur.epoch !== undefined && page.epoch !== cur.epoch) return commit({ ...cur, loadingOlder: false });
    const events = mergeEvents(newestRun(cur.events), page.events);
    const first = events[0]?.seq ?? 0;
    commit({ ...cur, events, gapAfter: gapAfterPage(events, page.events), hasOlder: first > 1, loadingOlder: false });
  } catch (error) {
    commit({ ...ref.current, loadingOlder: false, error: error as Error });
  }
}

/** Reads the next page into the gap a jump left; the gap closes when the page reaches the newest run. */
export async function loadNewerPage({ room, pageSize, ref, commit }: ListStore): Promise<void> {
  const s = ref.current;
  if (s.gapAfter === undefined || s.loadingNewer) return;
  commit({ ...s, loadingNewer: true });
  try {
    const page = await room.history({ after: s.gapAfter, limit: pageSize });
    const cur = ref.current;
    if (cur.epoch !== undefined && page.epoch !== cur.epoch) return commit({ ...cur, loadingNewer: false });
    const events = mergeEvents(cur.events, page.events);
    commit({ ...cur, events, gapAfter: gapAfterPage(events, page.events), loadingNewer: false });
  } catch (error) {
    commit({ ...ref.current, loadingNewer: false, error: error as Error });
  }
}

/** The events after the last hole: the run that reaches the newest event. */
export function newestRun(events: readonly RoomEvent[]): RoomEvent[] {
  const last = findHoles(events).at(-1);
  return last === undefined ? [...events] : events.filter((e) => e.seq >= last.until);
}

/** The page's last seq when a hole follows it in `events`, else undefined (the page joined what follows). */
export function gapAfterPage(events: readonly RoomEvent[], page: readonly RoomEvent[]): number | undefined {
  const last = page.at(-1)?.seq;
  return last !== undefined && findHoles(events).some((h) => h.after === last) ? last : undefined;
}
