import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { ParleyError } from "@parley/protocol";
import { capsAllow } from "../policy/access.js";
import type { Principal } from "../auth/principal.js";
import { principalOf, type HttpContext } from "./context.js";
import { readJsonObject, sendJson } from "./respond.js";
import type { Params, Router } from "./router.js";
import { requireId } from "./validate.js";
import type { NotifyHttp } from "../notify/notify-http.js";
import type { WebhookRecord } from "../notify/notify-store.js";
import { checkWebhookUrl, newWebhookSecret } from "../notify/webhook-request.js";

/** Most hooks one room may have. */
export const MAX_WEBHOOKS_PER_ROOM = 10;

type HookHandler = (
  ctx: HttpContext,
  notify: NotifyHttp,
  p: Principal,
  req: IncomingMessage,
  room: string,
  params: Params,
) => Promise<{ status: number; body: unknown }>;

/** `POST`/`GET /v1/rooms/{room}/webhooks`, `DELETE /v1/rooms/{room}/webhooks/{id}`. */
export function addWebhookRoutes(router: Router, ctx: HttpContext): void {
  const add = (method: string, path: string, fn: HookHandler): void => {
    router.add(method, path, async (req, res, params) => {
      const principal = await principalOf(ctx, req);
      const room = requireId("room", params.room);
      const notify = ctx.notify;
      if (!notify) throw new ParleyError("NOT_FOUND", "webhooks are not available on this node");
      await mayManage(ctx, principal, room);
      const reply = await fn(ctx, notify, principal, req, room, params);
      sendJson(res, reply.status, reply.body);
    });
  };
  add("POST", "/v1/rooms/{room}/webhooks", createHook);
  add("GET", "/v1/rooms/{room}/webhooks", async (_c, notify, _p, _r, room) => ({
    status: 200,
    body: { webhooks: (await notify.store.listWebhooks(room)).map(publicView) },
  }));
  add("DELETE", "/v1/rooms/{room}/webhooks/{id}", async (_c, notify, _p, _r, room, params) => {
    if (!(await notify.store.deleteWebhook(room, params.id!)))
      throw new ParleyError("NOT_FOUND", `no webhook ${params.id} in ${room}`);
    await notify.hooksChanged(room);
    return { status: 200, body: { id: params.id, deleted: true } };
  });
}

/**
 * A hook receives every event of the room, so its manager must be able to read
 * the room (`history` and the room's rule) and be its creator or hold `delete_any` on it
 * (the moderator capability; an implicit public room has no creator).
 */
async function mayManage(ctx: HttpContext, p: Principal, room: string): Promise<void> {
  await ctx.policy.access.require(p, room, "history", `you may not read ${room}`);
  if (capsAllow(p.caps, room, "delete_any")) return;
  if ((await ctx.store.getRoom(room))?.createdBy === p.user) return;
  throw new ParleyError("FORBIDDEN", `only the creator of ${room} or a user with delete_any may manage its webhooks`);
}

async function createHook(ctx: HttpContext, notify: NotifyHttp, p: Principal, req: IncomingMessage, room: string) {
  const input = await readJsonObject(req, ctx.config.maxFrameBytes);
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
    createdBy: p.user,
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
