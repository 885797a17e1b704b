import { randomBytes } from "node:crypto";
import { ParleyError } from "@parley/protocol";
import type { HttpContext } from "./context.js";
import { bodyOf, restRoutes, roomOf, type Reply, type RestCall } from "./rest-call.js";
import type { Router } from "./router.js";
import type { NotifyHttp } from "../notify/notify-http.js";
import type { WebhookRecord } from "../notify/notify-store.js";
import { checkWebhookUrl, newWebhookSecret } from "../notify/webhook-request.js";

/** Most hooks one room may have. */
export const MAX_WEBHOOKS_PER_ROOM = 10;

/** A webhook request whose caller may manage the room's hooks, on a node that has them. */
interface HookCall extends RestCall {
  readonly notify: NotifyHttp;
  readonly room: string;
}

/** `POST`/`GET /v1/rooms/{room}/webhooks`, `DELETE /v1/rooms/{room}/webhooks/{id}`. */
export function addWebhookRoutes(router: Router, ctx: HttpContext): void {
  const rest = restRoutes(router, ctx);
  const add = (method: string, path: string, fn: (call: HookCall) => Promise<Reply>): void =>
    rest(method, path, async (call) => fn(await hookCall(call)));
  add("POST", "/v1/rooms/{room}/webhooks", createHook);
  add("GET", "/v1/rooms/{room}/webhooks", async ({ notify, room }) => ({
    status: 200,
    body: { webhooks: (await notify.store.listWebhooks(room)).map(publicView) },
  }));
  add("DELETE", "/v1/rooms/{room}/webhooks/{id}", async ({ notify, room, params }) => {
    if (!(await notify.store.deleteWebhook(room, params.id ?? "")))
      throw new ParleyError("NOT_FOUND", `no webhook ${params.id} in ${room}`);
    await notify.hooksChanged(room);
    return { status: 200, body: { id: params.id, deleted: true } };
  });
}

/** The call, once the node has webhooks and the caller may manage the room's (policy/access.ts). */
async function hookCall(call: RestCall): Promise<HookCall> {
  const room = roomOf(call);
  const notify = call.ctx.notify;
  if (!notify) throw new ParleyError("NOT_FOUND", "webhooks are not available on this node");
  await call.ctx.policy.access.requireHookManager(call.principal, room);
  return { ...call, notify, room };
}

async function createHook(call: HookCall): Promise<Reply> {
  const { ctx, notify, room } = call;
  const input = await bodyOf(call);
  const url = checkWebhookUrl(input.url, ctx.config.webhookAllowedHosts);
  const secret = input.secret === undefined ? newWebhookSecret() : input.secret;
  if (typeof secret !== "string" || secret.length < 16 || secret.length > 256) {
    throw new ParleyError("BAD_REQUEST", "`secret` must be a string of 16–256 characters");
  }
  // Checked here for a clear 400; delivery checks again at connect, since DNS answers change.
  await notify.outbound.checkUrl(url, "url");
  // Only events after now: a new hook does not replay the room's history.
  const { lastSeq } = await ctx.log.head(room);
  const hook: WebhookRecord = {
    id: `wh_${randomBytes(12).toString("base64url")}`,
    room,
    url,
    secret,
    createdBy: call.principal.user,
    createdAt: Date.now(),
    deliveredSeq: lastSeq,
  };
  if (!(await notify.store.createWebhook(hook, MAX_WEBHOOKS_PER_ROOM))) {
    throw new ParleyError("BAD_REQUEST", `a room has at most ${MAX_WEBHOOKS_PER_ROOM} webhooks`);
  }
  await notify.hooksChanged(room);
  return { status: 201, body: { ...publicView(hook), secret } };
}

/** A hook as listed: everything but the secret. */
function publicView(hook: WebhookRecord) {
  const { secret: _secret, failingSince, ...rest } = hook;
  return { ...rest, failing: failingSince !== undefined, ...(failingSince !== undefined && { failingSince }) };
}
