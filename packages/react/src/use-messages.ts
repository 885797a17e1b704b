import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import type { Json, RoomEvent, RoomFold } from "@parley/client";
import type { EventKind } from "@parley/protocol";
import { chatActions, type ChatActions } from "./chat-actions.js";
import { useParley } from "./context.js";
import { buildMessages, confirmedCmids, type ChatMessage } from "./merge.js";
import type { TrackedMessage } from "./outbox-tracker.js";
import { pendingChanges } from "./pending-changes.js";
import { isRefusal, refusalsOf, type Refusal } from "./refusals.js";
import { useChatFold } from "./use-chat-fold.js";
import { useConnectionState } from "./use-connection-state.js";
import type { ListState } from "./list-pages.js";
import { useRoomEvents } from "./use-room-events.js";

/** Options of {@link useMessages}. */
export interface UseMessagesOptions {
  /** Events per history page (default 50). */
  pageSize?: number;
}

/** A room's message list and what a message pane does with it. */
export interface MessagesResult extends ChatActions {
  /** The main list (no thread replies): folded messages in seq order, then own messages on their way. */
  messages: ChatMessage[];
  /** The fold of every loaded event: all views by seq, read positions, events waiting for an older page. */
  fold: RoomFold;
  /** The latest page has loaded (an empty room is ready with no messages). */
  ready: boolean;
  /** Older history exists beyond the first loaded message. */
  hasOlder: boolean;
  loadingOlder: boolean;
  /** Loads one page before the oldest loaded message. */
  loadOlder(): Promise<void>;
  /**
   * Brings message `seq` into the list when it is older than what is loaded:
   * reads only the page around it, leaving a gap (`gapAfter`) up to the newest messages.
   */
  jumpTo(seq: number): Promise<void>;
  /** After a jump: the list has a gap after this seq (older messages before it, the newest after). */
  gapAfter: number | undefined;
  loadingNewer: boolean;
  /** Reads the next page into the gap; the gap closes once it reaches the newest messages. */
  loadNewer(): Promise<void>;
  /** Publishes through the outbox; the row shows sending → sent (or failed). */
  send(body: Json, kind?: EventKind): void;
  /** Publishes a failed message again (new cmid). */
  retry(cmid: string): void;
  /** Removes a failed message from the list, or a refusal's notice. */
  dismiss(cmid: string): void;
  /** Own edits, deletes and reactions in this room the server refused, until dismissed (also on `row.refusals`). */
  refused: Refusal[];
  /** The last history read failure, if any. */
  error: Error | undefined;
}

/**
 * The messages of room `id`, folded (edits, deletes, reactions, replies):
 * the latest page of history, live events and older pages on demand, without
 * duplicates or holes. Subscribes while mounted.
 */
export function useMessages(id: string, options: UseMessagesOptions = {}): MessagesResult {
  const { room, list, loadOlder, loadNewer, jumpTo } = useRoomEvents(id, { pageSize: options.pageSize ?? 50 });
  const { me, fold, rows, refused } = useFoldedRows(id, list.events, list.epoch);
  const foldRef = useRef(fold);
  foldRef.current = fold;
  const actions = useMemo(() => chatActions(room, () => foldRef.current, me), [room, me]);
  const { tracker } = useParley();
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
  return {
    ...pick(list),
    ...actions,
    messages: rows(),
    fold,
    refused,
    loadOlder,
    loadNewer,
    jumpTo,
    send,
    retry,
    dismiss,
  };
}

/** The fold of a room's events and a row builder for it (main list or a thread), with own pending messages. */
export function useFoldedRows(id: string, events: RoomEvent[], epoch: string | undefined) {
  const { client, tracker, user } = useParley();
  const tracked = useSyncExternalStore(tracker?.subscribe ?? noop, () => tracker?.messages ?? NO_TRACKED);
  const connected = useConnectionState().state === "connected";
  const me = user ?? client.session?.user ?? "";
  const now = useTicker(tracked.some((t) => t.status === "queued" && t.entry.room === id));
  const overlay = useMemo(() => pendingChanges(tracked, id, me, confirmedCmids(events, me)), [tracked, id, me, events]);
  const fold = useChatFold(`${id}\n${me}\n${epoch ?? ""}`, me, events, overlay);
  const main = useMemo(
    () => buildMessages(events, tracked, { room: id, me, connected, now }, { fold }),
    [events, tracked, id, me, connected, now, fold],
  );
  const rows = (thread?: number) =>
    thread === undefined ? main : buildMessages(events, tracked, { room: id, me, connected, now }, { fold, thread });

  useEffect(() => {
    // Confirmed in the stream, or a refused receipt or app event (nothing shows it): forget them.
    // Refused edits, deletes and reactions stay for their notice until dismissed.
    const done = confirmedCmids(events, me);
    const forget = tracked
      .filter((t) => t.entry.room === id && (done.has(t.entry.cmid) || (refusedChange(t) && !isRefusal(t))))
      .map((t) => t.entry.cmid);
    if (forget.length > 0) tracker?.forget(forget);
  }, [events, tracked, tracker, id, me]);
  const refused = useMemo(() => refusalsOf(tracked, id), [tracked, id]);
  return { me, fold, rows, refused };
}

const NO_TRACKED: readonly TrackedMessage[] = [];
const refusedChange = (t: TrackedMessage) => t.status === "failed" && (t.entry.kind ?? "message") !== "message";
const noop = (): (() => void) => () => undefined;

type ListFields = "ready" | "hasOlder" | "loadingOlder" | "gapAfter" | "loadingNewer" | "error";

export function pick(s: ListState): Pick<MessagesResult, ListFields> {
  const { ready, hasOlder, loadingOlder, gapAfter, loadingNewer, error } = s;
  return { ready, hasOlder, loadingOlder, gapAfter, loadingNewer, error };
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
