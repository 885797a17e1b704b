/**
 * The chat reads as one principal sees them, shared by the gateway's
 * `unread` / `search` frames and the REST routes. The Store applies the
 * rooms' own rules (private membership, DM users); token capabilities are
 * applied here: `subscribe` for a room's unread counts, `history` for hits.
 */
import type { SearchHit, UnreadRoom } from "@parley/protocol";
import { capsAllow } from "./access.js";
import type { Principal } from "../auth/principal.js";
import type { Store } from "../store/store.js";

/** Most rows one search asks the store for while refilling hits the token may not read. */
const MAX_SEARCH_SCAN = 4000;

/** The principal's unread counts, in the rooms their token lets them subscribe to. */
export async function unreadFor(principal: Principal, store: Store): Promise<UnreadRoom[]> {
  const rooms = await store.unread(principal.user);
  return rooms.filter((r) => capsAllow(principal.caps, r.room, "subscribe"));
}

/** A search as the principal may see it. The caller checks `room` (when given) with `authorize` first. */
export interface SearchRequest {
  readonly q: string;
  readonly room?: string | undefined;
  readonly limit: number;
}

/**
 * Hits in rooms the token may read (`history`), newest first. A token that
 * may not read some rooms makes the store's page shorter; it is then asked
 * for a larger page, up to MAX_SEARCH_SCAN rows.
 */
export async function searchFor(principal: Principal, store: Store, req: SearchRequest): Promise<SearchHit[]> {
  for (let want = req.limit; ; want *= 4) {
    const asked = Math.min(want, MAX_SEARCH_SCAN);
    const rows = await store.search({ q: req.q, user: principal.user, room: req.room, limit: asked });
    const hits = rows.filter((h) => capsAllow(principal.caps, h.room, "history"));
    if (hits.length >= req.limit || rows.length < asked || asked === MAX_SEARCH_SCAN) return hits.slice(0, req.limit);
  }
}
