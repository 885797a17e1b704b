/**
 * Pure unread bookkeeping: the inbox's rooms as counts (`fromInbox`, what `useUnread` returns),
 * and, for an app that follows counts from subscribed rooms' events itself, the server's exact
 * counts moved by live events until the next exact read (`applyLive`). What cannot be known from one
 * event (a receipt that reads part of the room, a delete) asks for a refresh.
 */
import { extractMentions, isTombstone, type InboxRoom, type RoomEvent, type UnreadRoom } from "@parley/client";

/** Unread and mention counts per room. */
export type UnreadMap = ReadonlyMap<string, UnreadRoom>;

/** The counts after live event `e`, and whether they need an exact refresh from the server. */
export function applyLive(rooms: UnreadMap, e: RoomEvent, me: string): { rooms: UnreadMap; refresh: boolean } {
  const r = rooms.get(e.room);
  if (!r) return { rooms, refresh: e.kind === "message" }; // a room we did not know of (a new DM)
  if (e.seq <= r.lastSeq) return { rooms, refresh: false }; // already in the server's counts
  let next: UnreadRoom = { ...r, lastSeq: e.seq };
  let refresh = false;
  if (e.kind === "receipt" && e.from === me) {
    const upTo = (e.body as { upTo?: unknown } | null)?.upTo;
    if (typeof upTo === "number" && upTo > next.lastRead) next = { ...next, lastRead: upTo };
    // Events arrive in order without gaps, so r.lastSeq is the event just before this receipt.
    if (next.lastRead >= r.lastSeq) next = { ...next, unread: 0, mentions: 0 };
    else refresh = true;
  } else if (e.kind === "delete") {
    refresh = true;
  } else if (isChatMessage(e) && e.from !== me && e.seq > next.lastRead) {
    const mentioned = extractMentions((e.body as { text: string }).text).includes(me);
    next = { ...next, unread: next.unread + 1, mentions: next.mentions + (mentioned ? 1 : 0) };
  }
  return { rooms: new Map(rooms).set(e.room, next), refresh };
}

/** The inbox's rooms as unread counts, keyed by room (what `useUnread` returns). */
export function fromInbox(rooms: ReadonlyMap<string, InboxRoom>): UnreadMap {
  const counts = new Map<string, UnreadRoom>();
  for (const r of rooms.values())
    counts.set(r.id, {
      room: r.id,
      lastRead: r.lastReadSeq,
      lastSeq: r.lastSeq,
      unread: r.unread,
      mentions: r.mentions,
    });
  return counts;
}

/** The server's counts, keyed by room. */
export function fromServer(list: readonly UnreadRoom[]): UnreadMap {
  return new Map(list.map((r) => [r.room, r]));
}

function isChatMessage(e: RoomEvent): boolean {
  const body = e.body as { text?: unknown } | null;
  return (
    e.kind === "message" &&
    typeof body === "object" &&
    body !== null &&
    typeof body.text === "string" &&
    !isTombstone(e.body)
  );
}
