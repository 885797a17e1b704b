import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Room, RoomEvent } from "@parley/client";
import { loadNewerPage, jumpToPage, loadOlderPage, type ListState, type ListStore } from "./list-pages.js";
import { findHoles, mergeEvents, type Hole } from "./merge.js";
import { useRoom } from "./use-room.js";

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
  gapAfter: undefined,
  loadingNewer: false,
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
    const loader = new Loader(room, pageSize, stateRef, commit);
    commit(EMPTY);
    return loader.start();
  }, [room, pageSize, commit]);
  const pages = useMemo(() => {
    const store: ListStore = { room, pageSize, ref: stateRef, commit };
    return {
      loadOlder: () => loadOlderPage(store),
      loadNewer: () => loadNewerPage(store),
      jumpTo: (seq: number) => jumpToPage(store, seq),
    };
  }, [room, pageSize, commit]);
  return { room, list, ...pages };
}

/** Feeds one room's live events and history reads into a list, for the lifetime of an effect. */
class Loader {
  #stopped = false;
  #filling = false;

  constructor(
    private readonly room: Room,
    private readonly pageSize: number,
    private readonly ref: { current: ListState },
    private readonly commit: (s: ListState) => void,
  ) {}

  /** The list as it is now, also after the on-demand reads (list-pages.ts) changed it. */
  get #state(): ListState {
    return this.ref.current;
  }

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

  /** The first hole to fill: any but the gap a jump left on purpose. */
  #nextHole(): Hole | undefined {
    const { events, gapAfter } = this.#state;
    return findHoles(events).find((h) => h.after !== gapAfter);
  }

  /** Reads forward from the start of each hole until none is left. */
  async #fillHoles(): Promise<void> {
    if (this.#filling) return;
    this.#filling = true;
    try {
      for (let hole = this.#nextHole(); hole && !this.#stopped; hole = this.#nextHole()) {
        const limit = Math.min(this.pageSize, hole.until - hole.after - 1);
        const page = await this.room.history({ after: hole.after, limit });
        if (this.#stopped || page.events.length === 0) break;
        this.#set({ ...this.#state, events: mergeEvents(this.#state.events, page.events) });
      }
    } catch (error) {
      if (!this.#stopped) this.#set({ ...this.#state, error: error as Error });
    } finally {
      this.#filling = false;
    }
  }
}
