import { useEffect, useMemo, useState } from "react";
import type { InboxRoom } from "@parley/client";
import { useParley } from "./context.js";

/** The user's rooms from the per-user channel (`client.inbox`). */
export interface RoomsResult {
  /** Ordered by id. */
  rooms: readonly InboxRoom[];
  /** The same rooms by id. */
  byId: ReadonlyMap<string, InboxRoom>;
  /** The first snapshot has arrived. */
  ready: boolean;
  /** The last snapshot failed (cleared by the next update). */
  error: Error | undefined;
  /** Asks the server for a fresh snapshot. */
  refresh(): void;
}

/**
 * The user's rooms with unread and mention counts, pushed by the server: rooms joined, added,
 * created, renamed, left or removed, a new DM and every count change arrive without polling, on
 * any device and any gateway. Opens the inbox on first use; it follows reconnects by itself.
 */
export function useRooms(): RoomsResult {
  const { client } = useParley();
  const inbox = client.inbox;
  const [byId, setById] = useState(inbox.rooms);
  const [ready, setReady] = useState(inbox.ready);
  const [error, setError] = useState<Error | undefined>(undefined);
  useEffect(() => {
    const offs = [
      inbox.on("update", () => {
        setById(inbox.rooms);
        setReady(true);
        setError(undefined);
      }),
      inbox.on("error", setError),
    ];
    inbox.open();
    setById(inbox.rooms);
    setReady(inbox.ready);
    return () => offs.forEach((off) => off());
  }, [inbox]);
  const rooms = useMemo(() => sortedRooms(byId), [byId]);
  return { rooms, byId, ready, error, refresh: () => inbox.refresh() };
}

/** The rooms ordered by id. */
export function sortedRooms(byId: ReadonlyMap<string, InboxRoom>): InboxRoom[] {
  return [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
