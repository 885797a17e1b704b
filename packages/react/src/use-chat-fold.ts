import { useMemo, useRef } from "react";
import { ChatFold, type RoomEvent, type RoomFold } from "@parley/client";

/**
 * The fold of a room's loaded events, kept incrementally: each render adds
 * only the events that are new since the last one (live ones at the end,
 * older pages at the start), so a live event costs O(1) instead of a refold
 * of the whole room. A new room, user or epoch, or a list that lost events
 * (a reset), starts a fresh fold. `overlay` (own changes on their way) is
 * applied on top without changing the kept fold.
 */
export function useChatFold(
  key: string,
  me: string,
  events: readonly RoomEvent[],
  overlay: readonly RoomEvent[],
): RoomFold {
  const ref = useRef<{ key: string; fold: ChatFold } | undefined>(undefined);
  const base = useMemo(() => {
    let cur = ref.current;
    if (!cur || cur.key !== key || cur.fold.size > events.length) cur = ref.current = { key, fold: new ChatFold(me) };
    syncFold(cur.fold, events);
    return { chat: cur.fold, fold: cur.fold.fold };
  }, [key, me, events]);
  return useMemo(() => base.chat.foldWith(overlay), [base, overlay]);
}

/** Adds what `events` (ascending, a superset of what `fold` holds) has beyond `fold`: ends first, then anything else. */
export function syncFold(fold: ChatFold, events: readonly RoomEvent[]): void {
  if (events.length === fold.size) return;
  const { first, last } = fold.span;
  const end = events.findLastIndex((e) => e.seq <= last) + 1; // events after `end` are newer than the fold
  const from = events.findIndex((e) => e.seq >= first);
  const start = from < 0 || from > end ? end : from; // events before `start` are older than the fold
  fold.add(events.slice(end));
  fold.add(events.slice(0, start));
  if (fold.size !== events.length) fold.add(events); // a filled hole: dedupe the lot
}
