import { readFileSync } from "node:fs";
import { ParleyError } from "@parley/protocol";
import { readRefusal } from "../policy/publish-rules.js";
import type { Room } from "../store/store.js";
import type { HttpContext } from "./context.js";
import { sendJson } from "./respond.js";
import { bodyOf, ok, restRoutes, roomOf, type Reply, type RestCall } from "./rest-call.js";
import type { Router } from "./router.js";

/** A room in the caller's list, with their read position and what is unread. */
export interface RoomWithUnread extends Room {
  /** The last seq the caller marked read (0 = none). */
  readonly lastReadSeq: number;
  /** The room's latest seq. */
  readonly lastSeq: number;
  /** Chat messages from others after `lastReadSeq`, deleted ones excluded (exact). */
  readonly unread: number;
}

let cachedVersion: string | undefined;
function serverVersion(): string {
  // dist/http/ → the server package's package.json, as the CLI's --version reads it.
  cachedVersion ??= (
    JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }
  ).version;
  return cachedVersion;
}

/** Registers `GET /v1/info` (public: the sign-in screen needs it) and `POST /v1/rooms/{room}/read`. */
export function addReadRoutes(router: Router, ctx: HttpContext): void {
  router.add("GET", "/v1/info", (_req, res) => sendJson(res, 200, { dev: ctx.config.dev, version: serverVersion() }));
  restRoutes(router, ctx)("POST", "/v1/rooms/{room}/read", markRead);
}

/**
 * Moves the caller's read position forward (never back), clamped to the room's head. Allowed exactly
 * when a `receipt` event would be (`readRefusal`: `subscribe` and the room's own rule).
 */
async function markRead(call: RestCall): Promise<Reply> {
  const { ctx, principal } = call;
  const room = roomOf(call);
  const input = await bodyOf(call);
  if (typeof input.seq !== "number" || !Number.isSafeInteger(input.seq) || input.seq < 0)
    throw new ParleyError("BAD_REQUEST", "`seq` must be a non-negative integer");
  const refused = await readRefusal(principal, room, ctx.policy.access);
  if (refused) throw new ParleyError(refused.code, refused.message);
  const head = await ctx.log.head(room);
  const upTo = Math.min(input.seq, head.lastSeq);
  // Position 0 is "nothing read": a row for it would only put an unread room in the caller's list.
  if (upTo > 0) await ctx.store.setLastRead(room, principal.user, upTo);
  return ok({ room, lastReadSeq: await lastReadOf(ctx, room, principal.user) });
}

/** From the unread rows, which also list rooms where the user only has a read position (public, never joined). */
async function lastReadOf(ctx: HttpContext, room: string, user: string): Promise<number> {
  return (await ctx.store.unread(user, room)).find((r) => r.room === room)?.lastRead ?? 0;
}

/**
 * Adds read position, head and unread count to each room: one store query for all of them (the chat
 * counts of docs/chat.md, the same as `GET /v1/unread`), so reactions, receipts and edits never count.
 */
export async function withUnread(ctx: HttpContext, user: string, rooms: Room[]): Promise<RoomWithUnread[]> {
  const counts = new Map((await ctx.store.unread(user)).map((r) => [r.room, r]));
  return rooms.map((room) => {
    const c = counts.get(room.id);
    return { ...room, lastReadSeq: c?.lastRead ?? 0, lastSeq: c?.lastSeq ?? 0, unread: c?.unread ?? 0 };
  });
}
