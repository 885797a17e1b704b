import { ParleyError, type Json } from "@parley/protocol";
import type { AppendResult, PublishCommand } from "../log/event-log.js";
import type { PublishRequest } from "../policy/publish.js";
import type { HttpContext } from "./context.js";
import { bodyOf, ok, restRoutes, roomOf, type Reply, type RestCall } from "./rest-call.js";
import type { Router } from "./router.js";
import { queryInt, queryLimit, requireId } from "./validate.js";

const DEFAULT_PAGE = 50;

/** Registers the publish and history routes. */
export function addMessageRoutes(router: Router, ctx: HttpContext): void {
  const add = restRoutes(router, ctx);
  add("POST", "/v1/rooms/{room}/messages", publish);
  add("GET", "/v1/rooms/{room}/messages", history);
}

/** POST a message: the publish pipeline of every transport (policy/publish.ts), as a WebSocket `pub`. */
async function publish(call: RestCall): Promise<Reply> {
  const { ctx, principal } = call;
  const command = publishCommand(roomOf(call), await bodyOf(call, "BAD_EVENT"), principal.user);
  const bucket = ctx.gateway.userBucket(principal.user);
  const takeToken = (now: number): boolean => bucket.take(now);
  const { event, duplicate } = await publishOnce(ctx, { principal, command, takeToken });
  return ok({ seq: event.seq, ts: event.ts, id: event.id, dup: duplicate }, duplicate ? 200 : 201);
}

/**
 * One REST publish through the pipeline. REST requests carry no order between them, so there is no
 * turn to take; the caller always waits for the answer.
 */
export async function publishOnce(ctx: HttpContext, request: PublishRequest): Promise<AppendResult> {
  const result = await ctx.policy.publisher.publish(request);
  if (!result) throw new ParleyError("INTERNAL", "a REST publish was abandoned");
  return result;
}

/** Validates a publish body `{cmid, kind?, body}` into a command from `from`. */
export function publishCommand(room: string, input: Record<string, unknown>, from: string): PublishCommand {
  const cmid = requireId("cmid", input.cmid);
  const kind = input.kind === undefined ? "message" : requireId("kind", input.kind);
  if (!("body" in input)) throw new ParleyError("BAD_REQUEST", "`body` is required");
  return { room, cmid, from, kind, body: input.body as Json };
}

/** GET a history page (policy/history.ts): `after` reads forward (below `before` when both are given), else backward. */
async function history({ ctx, principal, url, params }: RestCall): Promise<Reply> {
  const query = {
    room: requireId("room", params.room),
    before: queryInt(url, "before"),
    after: queryInt(url, "after"),
    limit: queryLimit(url, ctx.config.historyPageMax, DEFAULT_PAGE),
  };
  return ok(await ctx.policy.history.page(principal, query));
}
