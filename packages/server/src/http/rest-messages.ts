import { ParleyError, type Json } from "@parley/protocol";
import type { PublishCommand } from "../log/event-log.js";
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
  const command = await readPublish(call);
  const bucket = ctx.gateway.userBucket(principal.user);
  // REST requests carry no order between them, so there is no turn to take; the caller always waits.
  const result = await ctx.policy.publisher.publish({ principal, command, takeToken: (now) => bucket.take(now) });
  if (!result) throw new ParleyError("INTERNAL", "a REST publish was abandoned");
  const { event, duplicate } = result;
  return ok({ seq: event.seq, ts: event.ts, id: event.id, dup: duplicate }, duplicate ? 200 : 201);
}

/** Parses and validates `{cmid, kind?, body}` into a publish command. */
async function readPublish(call: RestCall): Promise<PublishCommand> {
  const room = roomOf(call);
  const input = await bodyOf(call, "BAD_EVENT");
  const cmid = requireId("cmid", input.cmid);
  const kind = input.kind === undefined ? "message" : requireId("kind", input.kind);
  if (!("body" in input)) throw new ParleyError("BAD_REQUEST", "`body` is required");
  return { room, cmid, from: call.principal.user, kind, body: input.body as Json };
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
