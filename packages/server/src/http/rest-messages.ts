import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError, type Json } from "@parley/protocol";
import type { PublishCommand } from "../log/event-log.js";
import type { HttpContext } from "./context.js";
import { principalOf } from "./context.js";
import { readJsonObject, sendJson } from "./respond.js";
import type { Params, Router } from "./router.js";
import { queryInt, queryLimit, requireId } from "./validate.js";

const DEFAULT_PAGE = 50;

/** Registers the publish and history routes. */
export function addMessageRoutes(router: Router, ctx: HttpContext): void {
  router.add("POST", "/v1/rooms/{room}/messages", (req, res, params) => publish(ctx, req, res, params));
  router.add("GET", "/v1/rooms/{room}/messages", (req, res, params, url) => history(ctx, req, res, params, url));
}

/** POST a message: the publish pipeline of every transport (policy/publish.ts), as a WebSocket `pub`. */
async function publish(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, params: Params): Promise<void> {
  const principal = await principalOf(ctx, req);
  const command = await readPublish(ctx, req, params, principal.user);
  const bucket = ctx.gateway.userBucket(principal.user);
  // REST requests carry no order between them, so there is no turn to take; the caller always waits.
  const result = await ctx.policy.publisher.publish({ principal, command, takeToken: (now) => bucket.take(now) });
  if (!result) throw new ParleyError("INTERNAL", "a REST publish was abandoned");
  const { event, duplicate } = result;
  sendJson(res, duplicate ? 200 : 201, { seq: event.seq, ts: event.ts, id: event.id, dup: duplicate });
}

/** Parses and validates `{cmid, kind?, body}` into a publish command. */
async function readPublish(
  ctx: HttpContext,
  req: IncomingMessage,
  params: Params,
  from: string,
): Promise<PublishCommand> {
  const room = requireId("room", params.room);
  const input = await readJsonObject(req, ctx.config.maxFrameBytes, "BAD_EVENT");
  const cmid = requireId("cmid", input.cmid);
  const kind = input.kind === undefined ? "message" : requireId("kind", input.kind);
  if (!("body" in input)) throw new ParleyError("BAD_REQUEST", "`body` is required");
  return { room, cmid, from, kind, body: input.body as Json };
}

/** GET a history page (policy/history.ts): `after` reads forward (below `before` when both are given), else backward. */
async function history(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: Params,
  url: URL,
): Promise<void> {
  const principal = await principalOf(ctx, req);
  const room = requireId("room", params.room);
  const query = {
    room,
    before: queryInt(url, "before"),
    after: queryInt(url, "after"),
    limit: queryLimit(url, ctx.config.historyPageMax, DEFAULT_PAGE),
  };
  sendJson(res, 200, await ctx.policy.history.page(principal, query));
}
