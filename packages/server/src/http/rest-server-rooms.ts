/**
 * The server API's rooms, members, presence and sessions (docs/server-api.md). The rules are
 * policy/membership.ts (its server methods: a backend acts as the user it names, or as its key's id);
 * this file translates HTTP.
 */
import { servicePrincipal } from "../auth/principal.js";
import type { RoomOccupancy } from "../presence/presence.js";
import type { HttpContext } from "./context.js";
import { bodyOf, ok, roomOf, type Reply } from "./rest-call.js";
import type { Router } from "./router.js";
import { actingUser, optionalBodyOf, optionalBool, serverRoutes, type ServerCall } from "./server-call.js";
import { queryLimit, requireId } from "./validate.js";
import { newRoomOf } from "./rest-rooms.js";
import { ParleyError } from "@parley/protocol";

/** Most members a room created through the server API may start with (besides its creator). */
export const MAX_INITIAL_MEMBERS = 1000;

/** Registers the server API's room, member, presence and disconnect routes. */
export function addServerRoomRoutes(router: Router, ctx: HttpContext): void {
  const add = serverRoutes(router, ctx);
  add("POST", "/v1/server/rooms", createRoom);
  add("DELETE", "/v1/server/rooms/{room}", async (call) => {
    const room = roomOf(call);
    await call.ctx.policy.membership.deleteRoom(room, actingUser(call, call.url.searchParams.get("from") ?? undefined));
    return ok({ room, deleted: true });
  });
  add("GET", "/v1/server/rooms/{room}/members", async (call) => {
    const room = await call.ctx.policy.membership.room(roomOf(call));
    return ok({ members: await call.ctx.store.listMembers(room.id) });
  });
  add("POST", "/v1/server/rooms/{room}/members", async (call) => {
    const input = await bodyOf(call);
    const user = requireId("user", input.user);
    const room = await call.ctx.policy.membership.addAsServer(roomOf(call), user, actingUser(call, input.from));
    return ok({ room: room.id, user, member: true }, 201);
  });
  add("DELETE", "/v1/server/rooms/{room}/members/{user}", async (call) => {
    const user = requireId("user", call.params.user);
    const from = actingUser(call, call.url.searchParams.get("from") ?? undefined);
    const room = await call.ctx.policy.membership.removeAsServer(roomOf(call), user, from);
    return ok({ room: room.id, user, member: false });
  });
  add("GET", "/v1/server/rooms/{room}/presence", async (call) => {
    const room = roomOf(call);
    const members = call.ctx.gateway.presenceOf(room);
    return ok({ ...occupancyOf(room, members), members });
  });
  add("GET", "/v1/server/occupancy", occupancy);
  add("POST", "/v1/server/users/{user}/disconnect", disconnect);
}

/** Creates a room as `from` (its creator and first member), then adds `members`, each announced. */
async function createRoom(call: ServerCall): Promise<Reply> {
  const input = await bodyOf(call);
  const spec = newRoomOf(input);
  const members = initialMembers(input.members);
  const from = actingUser(call, input.from);
  const { membership } = call.ctx.policy;
  const room = await membership.create(servicePrincipal(from), spec);
  for (const user of members) await membership.addAsServer(room.id, user, from);
  return ok(room, 201);
}

function initialMembers(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.length > MAX_INITIAL_MEMBERS)
    throw new ParleyError("BAD_REQUEST", `\`members\` must list at most ${MAX_INITIAL_MEMBERS} user ids`);
  return [...new Set(value.map((user) => requireId("user", user, "members[]")))];
}

/** Every room someone is in, busiest first (by connections, then users, then id), at most `limit`. */
async function occupancy(call: ServerCall): Promise<Reply> {
  const limit = queryLimit(call.url, 1000, 100);
  const rooms = call.ctx.gateway.occupancy().sort(busiestFirst).slice(0, limit);
  return ok({ rooms });
}

/** Orders rooms by connections, then users, then id. */
export function busiestFirst(a: RoomOccupancy, b: RoomOccupancy): number {
  return b.connections - a.connections || b.users - a.users || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0);
}

function occupancyOf(room: string, members: readonly { connections: number }[]): RoomOccupancy {
  return { room, users: members.length, connections: members.reduce((n, m) => n + m.connections, 0) };
}

/** Closes the user's sessions on every gateway: terminal by default, or asking them to reconnect. */
async function disconnect(call: ServerCall): Promise<Reply> {
  const user = requireId("user", call.params.user);
  const reconnect = optionalBool((await optionalBodyOf(call)).reconnect, "reconnect");
  const closedHere = await call.ctx.gateway.disconnectUser(user, reconnect);
  return ok({ user, reconnect, closedHere });
}
