import type { IncomingMessage } from "node:http";
import type { Principal } from "../auth/principal.js";
import { principalOf, type HttpContext } from "./context.js";
import { readJsonObject, sendJson, type TooDeepCode } from "./respond.js";
import type { Params, Router } from "./router.js";
import { requireId } from "./validate.js";

/** One JSON request: the node's context, the request, its path parameters and URL. */
export interface HttpCall {
  readonly ctx: HttpContext;
  readonly req: IncomingMessage;
  readonly params: Params;
  readonly url: URL;
}

/** One authenticated REST request: everything a route handler is given, in one object. */
export interface RestCall extends HttpCall {
  readonly principal: Principal;
}

/** A REST answer: its status and JSON body. */
export interface Reply {
  readonly status: number;
  readonly body: unknown;
}

/** An authenticated JSON route: a RestCall in, a Reply out (a thrown ParleyError becomes its error response). */
export type RestHandler = (call: RestCall) => Promise<Reply>;

/** Registers authenticated JSON routes on `router`: each authenticates the caller, runs its handler and sends its reply. */
export function restRoutes(
  router: Router,
  ctx: HttpContext,
): (method: string, path: string, handler: RestHandler) => void {
  return jsonRoutes(router, async (req, params, url) => ({
    ctx,
    principal: await principalOf(ctx, req),
    req,
    params,
    url,
  }));
}

/**
 * Registers JSON routes whose handlers take a call that `makeCall` builds per request (authenticating
 * it, so a refusal is thrown before any handler runs) and return a Reply, which is sent.
 */
export function jsonRoutes<C>(
  router: Router,
  makeCall: (req: IncomingMessage, params: Params, url: URL) => C | Promise<C>,
): (method: string, path: string, handler: (call: C) => Promise<Reply>) => void {
  return (method, path, handler) => {
    router.add(method, path, async (req, res, params, url) => {
      const reply = await handler(await makeCall(req, params, url));
      sendJson(res, reply.status, reply.body);
    });
  };
}

/** A Reply with `body` (200 unless `status` says otherwise). */
export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/** The route's `{room}`, checked against the room id pattern (BAD_REQUEST otherwise). */
export function roomOf(call: HttpCall): string {
  return requireId("room", call.params.room);
}

/** The request's JSON object body, at most `maxFrameBytes` long. */
export function bodyOf(call: HttpCall, tooDeep?: TooDeepCode): Promise<Record<string, unknown>> {
  return readJsonObject(call.req, call.ctx.config.maxFrameBytes, tooDeep);
}
