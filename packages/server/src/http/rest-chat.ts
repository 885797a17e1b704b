/**
 * REST reads of the chat projections (docs/chat.md, "Reads"): unread counts,
 * search, a message's edit history and its thread. Authorization as for
 * history: a room read needs `history` and the room's own rule.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError, targetOf } from "@parley/protocol";
import { searchFor, unreadFor } from "../policy/chat-reads.js";
import { queryProblem } from "../chat/search-text.js";
import type { Principal } from "../auth/principal.js";
import { principalOf, type HttpContext } from "./context.js";
import { sendJson } from "./respond.js";
import type { Params, Router } from "./router.js";
import { queryInt, queryLimit, requireId, requireText } from "./validate.js";

const DEFAULT_PAGE = 50;
/** Longest search query, as the `search` frame's schema allows. */
const MAX_QUERY = 256;

/** Registers `GET /v1/unread`, `GET /v1/search` and the per-message edits and thread routes. */
export function addChatRoutes(router: Router, ctx: HttpContext): void {
  router.add("GET", "/v1/unread", async (req, res) => {
    sendJson(res, 200, { rooms: await unreadFor(await principalOf(ctx, req), ctx.store) });
  });
  router.add("GET", "/v1/search", (req, res, _params, url) => search(ctx, req, res, url));
  router.add("GET", "/v1/rooms/{room}/messages/{seq}/edits", (req, res, params, url) =>
    edits(ctx, req, res, params, url),
  );
  router.add("GET", "/v1/rooms/{room}/messages/{seq}/thread", (req, res, params, url) =>
    thread(ctx, req, res, params, url),
  );
}

function pageLimit(ctx: HttpContext, url: URL): number {
  return queryLimit(url, ctx.config.historyPageMax, DEFAULT_PAGE);
}

async function search(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const principal = await principalOf(ctx, req);
  const q = requireText(url.searchParams.get("q") ?? undefined, "q", MAX_QUERY);
  const problem = queryProblem(q);
  if (problem !== undefined) throw new ParleyError("BAD_REQUEST", problem);
  const roomParam = url.searchParams.get("room");
  const room = roomParam === null ? undefined : requireId("room", roomParam);
  if (room !== undefined) await mayRead(ctx, principal, room);
  sendJson(res, 200, { hits: await searchFor(principal, ctx.store, { q, room, limit: pageLimit(ctx, url) }) });
}

/** The room and message seq of a per-message route, once the caller may read the room's history. */
async function messageOf(ctx: HttpContext, req: IncomingMessage, params: Params): Promise<[string, number]> {
  const principal = await principalOf(ctx, req);
  const room = requireId("room", params.room);
  if (!/^[1-9]\d{0,15}$/.test(params.seq ?? "")) throw new ParleyError("BAD_REQUEST", "`seq` must be a seq (≥ 1)");
  await mayRead(ctx, principal, room);
  return [room, Number(params.seq)];
}

function mayRead(ctx: HttpContext, principal: Principal, room: string): Promise<void> {
  return ctx.policy.access.require(principal, room, "history", `you may not read the history of ${room}`);
}

async function edits(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, params: Params, url: URL) {
  const [room, seq] = await messageOf(ctx, req, params);
  sendJson(res, 200, { room, seq, edits: await ctx.store.editsOf(room, seq, pageLimit(ctx, url)) });
}

async function thread(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, params: Params, url: URL) {
  const [room, seq] = await messageOf(ctx, req, params);
  const limit = pageLimit(ctx, url);
  const t = await ctx.store.thread(room, seq, queryInt(url, "after") ?? 0, limit + 1);
  const hasMore = t.replies.length > limit;
  const replies = hasMore ? t.replies.slice(0, limit) : t.replies;
  // The extra reply read for `hasMore` is the next page's: its related events come with that page.
  const page = new Set([seq, ...replies.map((r) => r.seq)]);
  const related = t.related.filter((e) => page.has(targetOf(e) ?? e.seq));
  sendJson(res, 200, { room, seq, count: t.count, replies, hasMore, related, relatedHasMore: t.relatedHasMore });
}
