import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError, utf8Length, type Json, type RoomEvent } from "@parley/protocol";
import { authorize } from "../policy/access.js";
import { checkPublish } from "../policy/publish-rules.js";
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

/** POST a message: the same path as a WebSocket publish (rate limit, size check, authorize and chat rules, log.append). */
async function publish(ctx: HttpContext, req: IncomingMessage, res: ServerResponse, params: Params): Promise<void> {
  const principal = await principalOf(ctx, req);
  const command = await readPublish(ctx, req, params, principal.user);
  const count = (outcome: string): void => ctx.metrics?.publishes.inc({ outcome });
  if (!ctx.gateway.userBucket(principal.user).take(Date.now())) {
    count("rate_limited");
    throw new ParleyError("RATE_LIMITED");
  }
  if (utf8Length(JSON.stringify(command.body)) > ctx.config.maxMessageBytes) {
    count("too_large");
    throw new ParleyError("MESSAGE_TOO_LARGE");
  }
  const refused = await checkPublish(principal, command, ctx);
  if (refused) {
    count(refused.code === "FORBIDDEN" ? "forbidden" : "rejected");
    throw new ParleyError(refused.code, refused.message);
  }
  const { event, duplicate } = await ctx.log.append(command);
  count(duplicate ? "duplicate" : "ok");
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

/** GET a history page: `after` reads forward, `before` (or neither: the latest) reads backward. */
async function history(
  ctx: HttpContext,
  req: IncomingMessage,
  res: ServerResponse,
  params: Params,
  url: URL,
): Promise<void> {
  const principal = await principalOf(ctx, req);
  const room = requireId("room", params.room);
  const before = queryInt(url, "before");
  const after = queryInt(url, "after");
  if (before !== undefined && after !== undefined)
    throw new ParleyError("BAD_REQUEST", "give `before` or `after`, not both");
  const limit = queryLimit(url, ctx.config.historyPageMax, DEFAULT_PAGE);
  const denied = await authorize(principal, room, "history", ctx.store);
  if (denied) throw new ParleyError(denied, `you may not read the history of ${room}`);
  const head = await ctx.log.head(room);
  const page = await readPage(
    ctx,
    room,
    { before: before ?? (after === undefined ? head.lastSeq + 1 : undefined), after },
    limit,
  );
  sendJson(res, 200, { epoch: head.epoch, ...page });
}

/** Reads one more than asked to learn whether there is more in the reading direction. */
async function readPage(
  ctx: HttpContext,
  room: string,
  at: { before: number | undefined; after: number | undefined },
  limit: number,
): Promise<{ events: RoomEvent[]; hasMore: boolean }> {
  if (at.before !== undefined) {
    const events = await ctx.log.readBefore(room, at.before, limit + 1);
    return events.length > limit ? { events: events.slice(1), hasMore: true } : { events, hasMore: false };
  }
  const events = await ctx.log.read(room, at.after ?? 0, limit + 1);
  return events.length > limit ? { events: events.slice(0, limit), hasMore: true } : { events, hasMore: false };
}
