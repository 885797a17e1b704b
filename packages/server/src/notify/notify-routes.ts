import type { HttpContext } from "../http/context.js";
import type { Router } from "../http/router.js";
import { addPushRoutes } from "./push-routes.js";
import { addWebhookRoutes } from "./webhook-routes.js";

/** Every notify/ REST route: push subscriptions, then webhooks. */
export function addNotifyRoutes(router: Router, ctx: HttpContext): void {
  addPushRoutes(router, ctx);
  addWebhookRoutes(router, ctx);
}
