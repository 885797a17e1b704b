/**
 * REST reads of the chat projections (docs/chat.md, "Reads"): unread counts,
 * search, a message's edit history and its thread. Authorization as for
 * history: a room read needs `history` and the room's own rule.
 */
import { ParleyError, targetOf } from "@parley/protocol";
import { searchFor, unreadFor } from "../policy/chat-reads.js";
import { queryProblem } from "../chat/search-text.js";
import type { HttpContext } from "./context.js";
import { ok, restRoutes, roomOf, type Reply, type RestCall } from "./rest-call.js";
import type { Router } from "./router.js";
import { queryInt, queryLimit, requireId, requireText } from "./validate.js";

const DEFAULT_PAGE = 50;
/** Longest search query, as the `search` frame's schema allows. */
const MAX_QUERY = 256;

/** Registers `GET /v1/unread`, `GET /v1/search` and the per-message edits and thread routes. */
export function addChatRoutes(router: Router, ctx: HttpContext): void {
  const add = restRoutes(router, ctx);
  add("GET", "/v1/unread", async ({ principal }) => ok({ rooms: await unreadFor(principal, ctx.store) }));
  add("GET", "/v1/search", search);
  add("GET", "/v1/rooms/{room}/messages/{seq}/edits", edits);
  add("GET", "/v1/rooms/{room}/messages/{seq}/thread", thread);
}

function pageLimit({ ctx, url }: RestCall): number {
  return queryLimit(url, ctx.config.historyPageMax, DEFAULT_PAGE);
}

async function search(call: RestCall): Promise<Reply> {
  const { ctx, principal, url } = call;
  const q = requireText(url.searchParams.get("q") ?? undefined, "q", MAX_QUERY);
  const problem = queryProblem(q);
  if (problem !== undefined) throw new ParleyError("BAD_REQUEST", problem);
  const roomParam = url.searchParams.get("room");
  const room = roomParam === null ? undefined : requireId("room", roomParam);
  if (room !== undefined) await mayRead(call, room);
  return ok({ hits: await searchFor(principal, ctx.store, { q, room, limit: pageLimit(call) }) });
}

/** The room and message seq of a per-message route, once the caller may read the room's history. */
async function messageOf(call: RestCall): Promise<[string, number]> {
  const room = roomOf(call);
  const seq = call.params.seq ?? "";
  if (!/^[1-9]\d{0,15}$/.test(seq)) throw new ParleyError("BAD_REQUEST", "`seq` must be a seq (≥ 1)");
  await mayRead(call, room);
  return [room, Number(seq)];
}

function mayRead({ ctx, principal }: RestCall, room: string): Promise<void> {
  return ctx.policy.access.require(principal, room, "history", `you may not read the history of ${room}`);
}

async function edits(call: RestCall): Promise<Reply> {
  const [room, seq] = await messageOf(call);
  return ok({ room, seq, edits: await call.ctx.store.editsOf(room, seq, pageLimit(call)) });
}

async function thread(call: RestCall): Promise<Reply> {
  const [room, seq] = await messageOf(call);
  const limit = pageLimit(call);
  const t = await call.ctx.store.thread(room, seq, queryInt(call.url, "after") ?? 0, limit + 1);
  const hasMore = t.replies.length > limit;
  const replies = hasMore ? t.replies.slice(0, limit) : t.replies;
  // The extra reply read for `hasMore` is the next page's: its related events come with that page.
  const page = new Set([seq, ...replies.map((r) => r.seq)]);
  const related = t.related.filter((e) => page.has(targetOf(e) ?? e.seq));
  return ok({ room, seq, count: t.count, replies, hasMore, related, relatedHasMore: t.relatedHasMore });
}
