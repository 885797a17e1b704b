import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError } from "@parley/protocol";
import { principalOf, type HttpContext } from "./context.js";
import { readJsonObject, sendJson } from "./respond.js";
import type { Router } from "./router.js";
import type { NotifyHttp } from "../notify/notify-http.js";
import { parsePushSubscription } from "../notify/push-subscription.js";

/** `GET /v1/push/vapid-public-key`, `POST` and `DELETE /v1/push/subscriptions`. */
export function addPushRoutes(router: Router, ctx: HttpContext): void {
  router.add("GET", "/v1/push/vapid-public-key", (_req, res) => {
    sendJson(res, 200, { publicKey: pushOn(ctx).vapidPublicKey });
  });
  router.add("POST", "/v1/push/subscriptions", async (req, res) => {
    const { user, deps } = await pushUser(ctx, req);
    const sub = parsePushSubscription(await readJsonObject(req, ctx.config.maxFrameBytes));
    await deps.outbound.checkUrl(sub.endpoint, "endpoint");
    await deps.store.savePushSubscription({ user, ...sub, createdAt: Date.now() });
    sendJson(res, 201, { endpoint: sub.endpoint, user });
  });
  router.add("DELETE", "/v1/push/subscriptions", async (req: IncomingMessage, res: ServerResponse) => {
    const { user, deps } = await pushUser(ctx, req);
    const { endpoint } = await readJsonObject(req, ctx.config.maxFrameBytes);
    if (typeof endpoint !== "string") throw new ParleyError("BAD_REQUEST", "`endpoint` must be a string");
    sendJson(res, 200, { endpoint, deleted: await deps.store.deletePushSubscription(user, endpoint) });
  });
}

function pushOn(ctx: HttpContext): NotifyHttp & { vapidPublicKey: string } {
  const deps = ctx.notify;
  if (!deps?.vapidPublicKey) throw new ParleyError("NOT_FOUND", "Web Push is disabled on this server");
  return deps as NotifyHttp & { vapidPublicKey: string };
}

async function pushUser(ctx: HttpContext, req: IncomingMessage): Promise<{ user: string; deps: NotifyHttp }> {
  const principal = await principalOf(ctx, req);
  return { user: principal.user, deps: pushOn(ctx) };
}
