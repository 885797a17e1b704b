import type { IncomingMessage } from "node:http";
import type { Principal } from "../auth/principal.js";
import { principalOf, type HttpContext } from "./context.js";
import { readJsonObject, sendJson, type TooDeepCode } from "./respond.js";
import type { Params, Router } from "./router.js";
import { requireId } from "./validate.js";

/** One authenticated REST request: everything a route handler is given, in one object. */
export interface RestCall {
  readonly ctx: HttpContext;
  readonly principal: Principal;
  readonly req: IncomingMessage;
  readonly params: Params;
  readonly url: URL;
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
  return (method, path, handler) => {
    router.add(method, path, async (req, res, params, url) => {
      const principal = await principalOf(ctx, req);
      const reply = await handler({ ctx, principal, req, params, url });
      sendJson(res, reply.status, reply.body);
    });
  };
}

/** A Reply with `body` (200 unless `status` says otherwise). */
export function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

/** The route's `{room}`, checked against the room id pattern (BAD_REQUEST otherwise). */
export function roomOf(call: RestCall): string {
  return requireId("room", call.params.room);
}

/** The request's JSON object body, at most `maxFrameBytes` long. */
export function bodyOf(call: RestCall, tooDeep?: TooDeepCode): Promise<Record<string, unknown>> {
  return readJsonObject(call.req, call.ctx.config.maxFrameBytes, tooDeep);
}
