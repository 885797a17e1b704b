import { ParleyError } from "@parley/protocol";
import type { ServerCaller, ServerKeyScope } from "../auth/server-keys.js";
import type { HttpContext } from "./context.js";
import { bodyOf, jsonRoutes, type HttpCall, type Reply } from "./rest-call.js";
import type { Router } from "./router.js";
import { requireId } from "./validate.js";

/** One server-API request (docs/server-api.md): the backend's key instead of a user's principal. */
export interface ServerCall extends HttpCall {
  readonly caller: ServerCaller;
}

/** A server-API route: a ServerCall in, a Reply out (a thrown ParleyError becomes its error response). */
export type ServerHandler = (call: ServerCall) => Promise<Reply>;

/** Registers server-API routes on `router`: each checks the server key for `scope` (default `api`) first. */
export function serverRoutes(
  router: Router,
  ctx: HttpContext,
  scope: ServerKeyScope = "api",
): (method: string, path: string, handler: ServerHandler) => void {
  return jsonRoutes(router, (req, params, url) => ({
    ctx,
    caller: ctx.serverKeys.authorize(req, scope),
    req,
    params,
    url,
  }));
}

/**
 * Who a change is made as: `from` when the call names one (body or query), else the key's id, so
 * every event the server API writes has an author a reader can trace to a key.
 */
export function actingUser(call: ServerCall, from: unknown): string {
  return from === undefined || from === null ? call.caller.keyId : requireId("user", from, "from");
}

/** The request's JSON object body, or `{}` when it has none (every field of the route is optional). */
export function optionalBodyOf(call: ServerCall): Promise<Record<string, unknown>> {
  const { headers } = call.req;
  const empty = headers["content-length"] === "0" || (!headers["content-length"] && !headers["transfer-encoding"]);
  return empty ? Promise.resolve({}) : bodyOf(call);
}

/** An optional boolean field: BAD_REQUEST unless absent or a boolean. */
export function optionalBool(value: unknown, field: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== "boolean") throw new ParleyError("BAD_REQUEST", `\`${field}\` must be a boolean`);
  return value;
}
