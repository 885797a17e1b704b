import type { HttpContext } from "./context.js";
import type { Router } from "./router.js";
import { addPushRoutes } from "./rest-push.js";
import { addWebhookRoutes } from "./rest-webhooks.js";

/** Every notify/ REST route: push subscriptions, then webhooks. */
export function addNotifyRoutes(router: Router, ctx: HttpContext): void {
  addPushRoutes(router, ctx);
  addWebhookRoutes(router, ctx);
}
