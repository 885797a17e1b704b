import { useEffect, useState } from "react";
import type { Room, RoomEvent } from "@parley/client";
import { mergeEvents } from "./merge.js";
import { useRoom } from "./use-room.js";

/** The events a thread folds (ascending, not contiguous). */
export interface ThreadEventsState {
  events: RoomEvent[];
  epoch: string | undefined;
  ready: boolean;
  error: Error | undefined;
}

const EMPTY: ThreadEventsState = { events: [], epoch: undefined, ready: false, error: undefined };
const REPLIES_PAGE = 100;

/**
 * What the thread of message `seq` needs, without the room between the
 * parent and now: the parent with the page of events right after it, the
 * parent's edits, every reply with the edits, deletes and reactions that
 * target it or the parent (the server's thread route: `related`), the room's
 * latest page, then live events. Subscribes while mounted.
 */
export function useThreadEvents(id: string, seq: number, pageSize: number) {
  const { room } = useRoom(id);
  const [list, setList] = useState<ThreadEventsState>(EMPTY);
  useEffect(() => {
    let stopped = false;
    let cur = EMPTY;
    const set = (next: ThreadEventsState) => {
      cur = next;
      if (!stopped) setList(next);
    };
    const add = (events: RoomEvent[], epoch?: string) =>
      set({ ...cur, epoch: epoch ?? cur.epoch, events: mergeEvents(cur.events, events) });
    const load = () =>
      loadThread(room, seq, pageSize, add).then(
        () => set({ ...cur, ready: true }),
        (error: unknown) => set({ ...cur, error: error as Error }),
      );
    const offs = [
      room.on("event", (e) => add([e])),
      room.on("subscribed", (info) => {
        if (info.epochChanged || !info.recovered) set(EMPTY);
        if (!cur.ready || !info.recovered) void load();
      }),
    ];
    set(EMPTY);
    if (room.state === "subscribed") void load();
    return () => {
      stopped = true;
      offs.forEach((off) => off());
    };
  }, [room, seq, pageSize]);
  return { room, list };
}

async function loadThread(
  room: Room,
  seq: number,
  pageSize: number,
  add: (events: RoomEvent[], epoch?: string) => void,
): Promise<void> {
  const [around, latest] = await Promise.all([
    room.history({ after: seq - 1, limit: pageSize }),
    room.history({ limit: pageSize }),
  ]);
  add([...around.events, ...latest.events], latest.epoch);
  add(await room.edits(seq)); // the parent's current text, however far its edits are from it
  for (let after = 0; ;) {
    const page = await room.thread(seq, { after, limit: REPLIES_PAGE });
    add([...page.replies, ...page.related]);
    const lastReply = page.replies.at(-1);
    if (!page.hasMore || !lastReply) return;
    after = lastReply.seq;
  }
}
