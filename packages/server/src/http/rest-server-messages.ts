/**
 * The server API's publishes (docs/server-api.md): as any user the backend names, through the one
 * publish pipeline (policy/publish.ts) with the service principal (auth/principal.ts), so the room's
 * rules and cmid idempotency are exactly a user's. A server key is trusted like the operator: its
 * publishes take no user's rate-limit tokens.
 */
import { ParleyError, type ErrorCode } from "@parley/protocol";
import { servicePrincipal } from "../auth/principal.js";
import type { HttpContext } from "./context.js";
import { bodyOf, ok, roomOf, type Reply } from "./rest-call.js";
import { publishCommand, publishOnce } from "./rest-messages.js";
import type { Router } from "./router.js";
import { serverRoutes, type ServerCall } from "./server-call.js";
import { requireId } from "./validate.js";

/** Most rooms one broadcast names. */
export const MAX_BROADCAST_ROOMS = 100;

/** Registers the server API's publish and broadcast routes. */
export function addServerMessageRoutes(router: Router, ctx: HttpContext): void {
  const add = serverRoutes(router, ctx);
  add("POST", "/v1/server/rooms/{room}/messages", publish);
  add("POST", "/v1/server/broadcast", broadcast);
}

/** One room's answer to a publish: where it was sequenced. */
interface Published {
  readonly seq: number;
  readonly ts: number;
  readonly id: string;
  readonly dup: boolean;
}

/** Publishes `input` (`{from, cmid, kind?, body}`) to `room` as `from`. */
async function publishAs(ctx: HttpContext, room: string, input: Record<string, unknown>): Promise<Published> {
  const from = requireId("user", input.from, "from");
  const command = publishCommand(room, input, from);
  const { event, duplicate } = await publishOnce(ctx, { principal: servicePrincipal(from), command, takeToken });
  return { seq: event.seq, ts: event.ts, id: event.id, dup: duplicate };
}

const takeToken = (): boolean => true;

async function publish(call: ServerCall): Promise<Reply> {
  const result = await publishAs(call.ctx, roomOf(call), await bodyOf(call, "BAD_EVENT"));
  return ok(result, result.dup ? 200 : 201);
}

/**
 * One message to many rooms: each room is an independent publish with the same cmid (so a retry is
 * idempotent per room), run concurrently; the answer lists every room's seq or error, in the order asked.
 */
async function broadcast(call: ServerCall): Promise<Reply> {
  const input = await bodyOf(call, "BAD_EVENT");
  const rooms = broadcastRooms(input.rooms);
  requireId("user", input.from, "from"); // refused once for the whole call, not once per room
  const settled = await Promise.allSettled(rooms.map((room) => publishAs(call.ctx, room, input)));
  const results = settled.map((outcome, i) => {
    const room = rooms[i] ?? "";
    if (outcome.status === "fulfilled") return { room, ...outcome.value };
    return { room, error: errorBody(call, room, outcome.reason) };
  });
  return ok({ results });
}

function broadcastRooms(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BROADCAST_ROOMS)
    throw new ParleyError("BAD_REQUEST", `\`rooms\` must list 1–${MAX_BROADCAST_ROOMS} room ids`);
  const rooms = value.map((room) => requireId("room", room, "rooms[]"));
  if (new Set(rooms).size !== rooms.length) throw new ParleyError("BAD_REQUEST", "`rooms` lists a room twice");
  return rooms;
}

/** A room's failure as the error body REST answers with; anything uncatalogued is INTERNAL (and logged). */
function errorBody(
  call: ServerCall,
  room: string,
  err: unknown,
): { code: ErrorCode; message: string; retryable: boolean } {
  if (err instanceof ParleyError) return { code: err.code, message: err.message, retryable: err.retryable };
  call.ctx.logger.error({ err, room }, "broadcast publish failed");
  const internal = new ParleyError("INTERNAL");
  return { code: internal.code, message: internal.message, retryable: internal.retryable };
}
