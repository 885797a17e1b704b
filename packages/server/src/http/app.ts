import type { IncomingMessage, ServerResponse } from "node:http";
import type { Metrics } from "../metrics/metrics.js";
import type { HttpContext } from "./context.js";
import { applyCors } from "./cors.js";
import { addNotifyRoutes } from "./rest-notify.js";
import { addMessageRoutes } from "./rest-messages.js";
import { addChatRoutes } from "./rest-chat.js";
import { addOpsRoutes, type Readiness } from "./ops-routes.js";
import { addReadRoutes } from "./rest-reads.js";
import { sendError, sendThrown } from "./respond.js";
import { addRoomRoutes } from "./rest-rooms.js";
import { addServerMessageRoutes } from "./rest-server-messages.js";
import { addServerRoomRoutes } from "./rest-server-rooms.js";
import { addAdminRoutes } from "./rest-admin.js";
import { Router } from "./router.js";
import { serveStatic } from "./static-files.js";
import { hostAllowed } from "../transport/origin.js";
import { logWrappedFailure } from "../logger.js";

/** Builds the router with every route: ops, SSE transport, REST. */
export function buildRouter(ctx: HttpContext, state: Readiness, metrics: Metrics | undefined): Router {
  const router = new Router();
  addOpsRoutes(router, state, metrics, ctx.gateway);
  router.add("GET", "/v1/sse", (req, res) => ctx.gateway.handleSse(req, res));
  router.add("POST", "/v1/sse/{session}", (req, res, params) =>
    ctx.gateway.handleSsePost(req, res, params.session ?? ""),
  );
  addMessageRoutes(router, ctx);
  addChatRoutes(router, ctx);
  addRoomRoutes(router, ctx);
  addReadRoutes(router, ctx);
  addNotifyRoutes(router, ctx);
  addServerMessageRoutes(router, ctx);
  addServerRoomRoutes(router, ctx);
  addAdminRoutes(router, ctx, state);
  return router;
}

/** The node:http request listener: router first, then static files, then a JSON 404. */
export function requestListener(ctx: HttpContext, router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(ctx, router, req, res).catch((err: unknown) => {
      const context = { method: req.method, url: req.url };
      if (!sendThrown(res, err)) ctx.logger.error({ err, ...context }, "request failed");
      else logWrappedFailure(ctx.logger, err, context, "request failed");
    });
  };
}

async function handle(ctx: HttpContext, router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (!hostAllowed(req, ctx.config)) {
    return sendError(res, "FORBIDDEN", `Host ${req.headers.host} is not served here (see allowedHosts)`);
  }
  const url = new URL(req.url ?? "/", "http://localhost");
  if (url.pathname.startsWith("/v1/") && applyCors(ctx.config.allowedOrigins, req, res)) return;
  const match = router.match(req.method ?? "GET", url.pathname);
  if (match.kind === "found") return match.handler(req, res, match.params, url);
  if (match.kind === "method-not-allowed") return notAllowed(res, req.method, match.allow);
  if (ctx.config.webRoot && !url.pathname.startsWith("/v1/")) {
    // The web app is files: GET and HEAD only, whatever the path (unknown paths fall back to index.html).
    if (req.method !== "GET" && req.method !== "HEAD") return notAllowed(res, req.method, ["GET"]);
    if (await serveStatic(ctx.config.webRoot, req, res, url.pathname)) return;
  }
  sendError(res, "NOT_FOUND", `no route for ${req.method} ${url.pathname}`);
}

/** 405 with the `Allow` header (a GET route also answers HEAD). */
function notAllowed(res: ServerResponse, method: string | undefined, allow: readonly string[]): void {
  const methods = allow.includes("GET") ? [...allow, "HEAD"] : allow;
  sendError(res, "METHOD_NOT_ALLOWED", `${method} is not allowed here`, { allow: methods.join(", ") });
}
