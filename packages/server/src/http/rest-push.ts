import { ParleyError } from "@parley/protocol";
import type { HttpContext } from "./context.js";
import { sendJson } from "./respond.js";
import { bodyOf, ok, restRoutes } from "./rest-call.js";
import type { Router } from "./router.js";
import type { NotifyHttp } from "../notify/notify-http.js";
import { parsePushSubscription } from "../notify/push-subscription.js";

/** `GET /v1/push/vapid-public-key`, `POST` and `DELETE /v1/push/subscriptions`. */
export function addPushRoutes(router: Router, ctx: HttpContext): void {
  router.add("GET", "/v1/push/vapid-public-key", (_req, res) => {
    sendJson(res, 200, { publicKey: pushOn(ctx).vapidPublicKey });
  });
  const add = restRoutes(router, ctx);
  add("POST", "/v1/push/subscriptions", async (call) => {
    const { user } = call.principal;
    const deps = pushOn(ctx);
    const sub = parsePushSubscription(await bodyOf(call));
    await deps.outbound.checkUrl(sub.endpoint, "endpoint");
    await deps.store.savePushSubscription({ user, ...sub, createdAt: Date.now() });
    return ok({ endpoint: sub.endpoint, user }, 201);
  });
  add("DELETE", "/v1/push/subscriptions", async (call) => {
    const deps = pushOn(ctx);
    const { endpoint } = await bodyOf(call);
    if (typeof endpoint !== "string") throw new ParleyError("BAD_REQUEST", "`endpoint` must be a string");
    return ok({ endpoint, deleted: await deps.store.deletePushSubscription(call.principal.user, endpoint) });
  });
}

function pushOn(ctx: HttpContext): NotifyHttp & { vapidPublicKey: string } {
  const deps = ctx.notify;
  if (!deps?.vapidPublicKey) throw new ParleyError("NOT_FOUND", "Web Push is disabled on this server");
  return deps as NotifyHttp & { vapidPublicKey: string };
}
