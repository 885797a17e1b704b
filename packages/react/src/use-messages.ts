import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { Json, Room, RoomEvent } from "@parley/client";
import type { EventKind } from "@parley/protocol";
import { useParley } from "./context.js";
import {
  buildMessages,
  confirmedCmids,
  findHoles,
  mergeEvents,
  type ChatMessage,
  type TrackedMessage,
} from "./merge.js";
import { useConnectionState } from "./use-connection-state.js";
import { useRoom } from "./use-room.js";

/** Options of {@link useMessages}. */
export interface UseMessagesOptions {
  /** Events per history page (default 50). */
  pageSize?: number;
}

/** A room's message list and what a message pane does with it. */
export interface MessagesResult {
  /** Confirmed events in seq order, then own messages on their way. */
  messages: ChatMessage[];
  /** The latest page has loaded (an empty room is ready with no messages). */
  ready: boolean;
  /** Older history exists beyond the first loaded message. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Loads one page before the oldest loaded message. */
  loadOlder(): Promise<void>;
  /** Publishes through the outbox; the row shows sending → sent (or failed). */
  send(body: Json, kind?: EventKind): void;
  /** Publishes a failed message again (new cmid). */
  retry(cmid: string): void;
  /** Removes a failed message from the list. */
  dismiss(cmid: string): void;
  /** The last history read failure, if any. */
  error: Error | undefined;
}

interface ListState {
  events: RoomEvent[];
  epoch: string | undefined;
  ready: boolean;
  hasOlder: boolean;
  loadingOlder: boolean;
  error: Error | undefined;
}

const EMPTY: ListState = {
  events: [],
  epoch: undefined,
  ready: false,
  hasOlder: true,
  loadingOlder: false,
  error: undefined,
};
const NO_TRACKED: readonly TrackedMessage[] = [];
const noop = (): (() => void) => () => undefined;

/**
 * The messages of room `id`: the latest page of history, live events, and
 * older pages on demand, merged by seq so nothing shows twice, with any hole
 * (live events racing a history read) filled from history. Subscribes while mounted.
 */
export function useMessages(id: string, options: UseMessagesOptions = {}): MessagesResult {
  const pageSize = options.pageSize ?? 50;
  const { client, tracker, user } = useParley();
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

  const tracked = useSyncExternalStore(tracker?.subscribe ?? noop, () => tracker?.messages ?? NO_TRACKED);
  const connected = useConnectionState().state === "connected";
  const me = user ?? client.session?.user ?? "";
  const now = useTicker(tracked.some((t) => t.status === "queued" && t.entry.room === id));
  const messages = useMemo(
    () => buildMessages(list.events, tracked, id, me, { connected, now }),
    [list.events, tracked, id, me, connected, now],
  );

  useEffect(() => {
    // Confirmed in the stream: the tracker no longer needs them.
    const done = confirmedCmids(list.events, me);
    const forget = tracked.filter((t) => t.entry.room === id && done.has(t.entry.cmid)).map((t) => t.entry.cmid);
    if (forget.length > 0) tracker?.forget(forget);
  }, [list.events, tracked, tracker, id, me]);

  const loadOlder = useCallback(() => loadOlderPage(room, pageSize, stateRef, commit), [room, pageSize, commit]);
  const send = useCallback(
    (body: Json, kind?: EventKind) => void room.publish(body, kind ? { kind } : {}).catch(() => undefined),
    [room],
  );
  const retry = useCallback(
    (cmid: string) => {
      const failed = tracker?.messages.find((t) => t.entry.cmid === cmid && t.status === "failed");
      if (!failed) return;
      tracker?.forget([cmid]);
      send(failed.entry.body, failed.entry.kind);
    },
    [tracker, send],
  );
  const dismiss = useCallback((cmid: string) => tracker?.forget([cmid]), [tracker]);
  return { ...pick(list), messages, loadOlder, send, retry, dismiss };
}

function pick(s: ListState): Pick<MessagesResult, "ready" | "hasOlder" | "loadingOlder" | "error"> {
  return { ready: s.ready, hasOlder: s.hasOlder, loadingOlder: s.loadingOlder, error: s.error };
}

/** Re-renders every second while `active`, so "sending" can turn into "retrying". */
function useTicker(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
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
