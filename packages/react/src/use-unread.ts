import { useMemo } from "react";
import { fromInbox, type UnreadMap } from "./unread-counts.js";
import { useRooms } from "./use-rooms.js";

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

/**
 * Unread and mention counts per room, from the per-user channel (`useRooms`): the server's
 * snapshot on mount and on every reconnect, then its pushes for others' messages, deletes and the
 * user's receipts from any device, in every room, subscribed or not. Nothing is polled.
 */
export function useUnread(): UnreadResult {
  const { byId, ready, error, refresh } = useRooms();
  const rooms = useMemo(() => fromInbox(byId), [byId]);
  return { rooms, ready, error, refresh };
}
