import { useCallback, useEffect, useRef, useState } from "react";
import { useParley } from "./context.js";
import { applyLive, fromServer, type UnreadMap } from "./unread-counts.js";

/** Unread and mention counts of every room the user belongs to. */
export interface UnreadResult {
  /** Per room: `{ lastRead, lastSeq, unread, mentions }`. */
  rooms: UnreadMap;
  /** The first exact read has arrived. */
  ready: boolean;
  error: Error | undefined;
  /** Reads the exact counts again. */
  refresh(): void;
}

const EMPTY: UnreadMap = new Map();
const REFRESH_DEBOUNCE_MS = 300;

/**
 * Exact unread counts from the server (the `unread` frame), read on mount
 * and on every (re)connect, and kept current by the live events of the
 * subscribed rooms: others' messages count up, own receipts (from any of the
 * user's devices) count down; anything ambiguous reads the exact counts again.
 */
export function useUnread(): UnreadResult {
  const { client, user } = useParley();
  const [rooms, setRooms] = useState<UnreadMap>(EMPTY);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const me = user ?? client.session?.user ?? "";
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // A subscribed room the user does not belong to stays unknown: ask about each such room once, not per message.
  const askedAbout = useRef(new Set<string>());

  const load = useCallback(() => {
    clearTimeout(timer.current);
    timer.current = undefined;
    client.unread().then(
      (list) => {
        setRooms(fromServer(list));
        setReady(true);
        setError(undefined);
      },
      (err: unknown) => setError(err as Error),
    );
  }, [client]);
  const later = useCallback(() => {
    timer.current ??= setTimeout(load, REFRESH_DEBOUNCE_MS);
  }, [load]);

  useEffect(() => {
    if (client.state === "connected") load();
    const offs = [
      client.on("connected", () => load()),
      client.on("event", (e) =>
        setRooms((current) => {
          const { rooms: next, refresh } = applyLive(current, e, me);
          const unknown = !current.has(e.room);
          if (refresh && !(unknown && askedAbout.current.has(e.room))) later();
          if (unknown) askedAbout.current.add(e.room);
          return next;
        }),
      ),
    ];
    return () => {
      offs.forEach((off) => off());
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [client, me, load, later]);
  return { rooms, ready, error, refresh: load };
}
