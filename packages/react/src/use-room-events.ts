import { useCallback, useEffect, useRef, useState } from "react";
import type { Room, RoomEvent } from "@parley/client";
import { findHoles, mergeEvents } from "./merge.js";
import { useRoom } from "./use-room.js";

/** A room's loaded events: a contiguous run ending at the head once ready (holes are filled). */
export interface ListState {
  events: RoomEvent[];
  epoch: string | undefined;
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: Error | undefined;
}

/** Options of {@link useRoomEvents}. */
export interface RoomEventsOptions {
  pageSize: number;
}

const EMPTY: ListState = {
  events: [],
  epoch: undefined,
  ready: false,
  hasOlder: true,
  loadingOlder: false,
  error: undefined,
};
/**
 * The events of room `id`: the latest page of history, live events, and
 * older pages on demand, merged by seq so nothing shows twice, with any hole
 * (live events racing a history read) filled from history. Subscribes while mounted.
 */
export function useRoomEvents(id: string, options: RoomEventsOptions) {
  const { pageSize } = options;
  const { room } = useRoom(id);
  const [list, setList] = useState<ListState>(EMPTY);
  const stateRef = useRef(list);
  const commit = useCallback((next: ListState) => {
    stateRef.current = next;
    setList(next);
  }, []);
  useEffect(() => {
    const loader = new Loader(room, pageSize, commit);
    commit(EMPTY);
    return loader.start();
  }, [room, pageSize, commit]);
  const loadOlder = useCallback(() => loadOlderPage(room, pageSize, stateRef, commit), [room, pageSize, commit]);
  return { room, list, loadOlder };
}

async function loadOlderPage(
  room: Room,
  pageSize: number,
  ref: { current: ListState },
  commit: (s: ListState) => void,
): Promise<void> {
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

/** Feeds one room's live events and history reads into a list, for the lifetime of an effect. */
class Loader {
  #state: ListState = EMPTY;
  #stopped = false;
  #filling = false;

  constructor(
    private readonly room: Room,
    private readonly pageSize: number,
    private readonly commit: (s: ListState) => void,
  ) {}

  /** Listens before reading, so no live event can fall between the history page and the stream. */
  start(): () => void {
    const offs = [
      this.room.on("event", (e) => this.#add([e], undefined)),
      this.room.on("subscribed", (info) => {
        if (info.epochChanged || !info.recovered) this.#set({ ...EMPTY });
        if (!this.#state.ready || !info.recovered) void this.#loadLatest();
      }),
    ];
    if (this.room.state === "subscribed") void this.#loadLatest();
    return () => {
      this.#stopped = true;
      offs.forEach((off) => off());
    };
  }

  #set(next: ListState): void {
    this.#state = next;
    if (!this.#stopped) this.commit(next);
  }

  #add(events: RoomEvent[], epoch: string | undefined): void {
    const s = this.#state;
    if (epoch !== undefined && s.epoch !== undefined && epoch !== s.epoch) {
      this.#set({ ...EMPTY, epoch, events: [...events], ready: s.ready }); // a new stream: the old seqs mean nothing
    } else {
      this.#set({ ...s, epoch: epoch ?? s.epoch, events: mergeEvents(s.events, events) });
    }
    void this.#fillHoles();
  }

  async #loadLatest(): Promise<void> {
    try {
      const page = await this.room.history({ limit: this.pageSize });
      if (this.#stopped) return;
      const first = !this.#state.ready;
      this.#add(page.events, page.epoch);
      const hasOlder = first ? page.hasMore : this.#state.hasOlder;
      this.#set({ ...this.#state, ready: true, hasOlder: hasOlder && (this.#state.events[0]?.seq ?? 0) > 1 });
    } catch (error) {
      if (!this.#stopped) this.#set({ ...this.#state, error: error as Error });
    }
  }

  /** Reads forward from the start of each hole until none is left. */
  async #fillHoles(): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    try {
      for (let hole = findHoles(this.#state.events)[0]; hole && !this.#stopped;) {
        const limit = Math.min(this.pageSize, hole.until - hole.after - 1);
        const page = await this.room.history({ after: hole.after, limit });
        if (this.#stopped || page.events.length === 0) break;
        this.#set({ ...this.#state, events: mergeEvents(this.#state.events, page.events) });
        hole = findHoles(this.#state.events)[0];
      }
    } catch (error) {
      if (!this.#stopped) this.#set({ ...this.#state, error: error as Error });
    } finally {
      this.#filling = false;
    }
  }
}
