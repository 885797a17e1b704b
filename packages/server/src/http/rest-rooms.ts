/**
 * Room, membership, DM and presence routes. The rules (who may create, join,
 * leave, add, see) are policy/membership.ts; this file translates HTTP.
 */
import { ParleyError } from "@parley/protocol";
import type { NewRoom } from "../policy/membership.js";
import { withUnread } from "./rest-reads.js";
import type { Router } from "./router.js";
import type { HttpContext } from "./context.js";
import { bodyOf, ok, restRoutes, roomOf, type Reply, type RestCall } from "./rest-call.js";
import { queryLimit, requireId, requireText } from "./validate.js";

/** Registers room, membership, DM and presence routes. Literal paths come before `{room}` ones. */
export function addRoomRoutes(router: Router, ctx: HttpContext): void {
  const add = restRoutes(router, ctx);
  add("GET", "/v1/rooms", async ({ ctx: c, principal: p }) => {
    return ok({ rooms: await withUnread(c, p.user, await c.policy.membership.roomsOf(p)) });
  });
  add("GET", "/v1/rooms/public", async ({ ctx: c, principal, url }) => {
    return ok({ rooms: await c.policy.membership.publicRooms(principal, queryLimit(url, 500, 100)) });
  });
  add("POST", "/v1/rooms", createRoom);
  add("POST", "/v1/dms", openDm);
  add("POST", "/v1/rooms/{room}/join", async (call) => {
    const room = await call.ctx.policy.membership.join(call.principal, roomOf(call));
    return ok({ room: room.id, user: call.principal.user, member: true });
  });
  add("POST", "/v1/rooms/{room}/leave", async (call) => {
    const room = await call.ctx.policy.membership.leave(call.principal, roomOf(call));
    return ok({ room: room.id, user: call.principal.user, member: false });
  });
  add("GET", "/v1/rooms/{room}", async (call) =>
    ok(await call.ctx.policy.membership.view(call.principal, roomOf(call))),
  );
  add("PATCH", "/v1/rooms/{room}", renameRoom);
  add("GET", "/v1/users", async ({ ctx: c, principal, url }) => {
    const text = url.searchParams.get("q") ?? undefined;
    if (text !== undefined && text.length > 200) throw new ParleyError("BAD_REQUEST", "`q` is at most 200 characters");
    return ok({ users: await c.policy.membership.directory(principal, text, queryLimit(url, 200, 50)) });
  });
  add("GET", "/v1/rooms/{room}/members", async (call) => {
    return ok({ members: await call.ctx.policy.membership.members(call.principal, roomOf(call)) });
  });
  add("POST", "/v1/rooms/{room}/members", addMember);
  add("DELETE", "/v1/rooms/{room}/members/{user}", async (call) => {
    const user = requireId("user", call.params.user);
    const room = await call.ctx.policy.membership.remove(call.principal, roomOf(call), user);
    return ok({ room: room.id, user, member: false });
  });
  add("GET", "/v1/rooms/{room}/presence", presence);
}

async function createRoom(call: RestCall): Promise<Reply> {
  const room = newRoomOf(await bodyOf(call));
  return ok(await call.ctx.policy.membership.create(call.principal, room), 201);
}

/** A create-room body's `{id?, type, name}`, checked. */
export function newRoomOf(input: Record<string, unknown>): NewRoom {
  const id = input.id === undefined ? undefined : requireId("room", input.id, "id");
  if (input.type !== "public" && input.type !== "private")
    throw new ParleyError("BAD_REQUEST", "`type` must be public or private");
  return { id, type: input.type, name: requireText(input.name, "name", 200) };
}

async function openDm(call: RestCall): Promise<Reply> {
  const other = requireId("user", (await bodyOf(call)).user);
  const { room, created } = await call.ctx.policy.membership.openDm(call.principal, other);
  return ok(room, created ? 201 : 200);
}

async function addMember(call: RestCall): Promise<Reply> {
  const id = roomOf(call);
  const user = requireId("user", (await bodyOf(call)).user);
  const room = await call.ctx.policy.membership.add(call.principal, id, user);
  return ok({ room: room.id, user, member: true }, 201);
}

async function renameRoom(call: RestCall): Promise<Reply> {
  const name = requireText((await bodyOf(call)).name, "name", 200);
  return ok(await call.ctx.policy.membership.rename(call.principal, roomOf(call), name));
}

async function presence(call: RestCall): Promise<Reply> {
  const room = roomOf(call);
  await call.ctx.policy.access.require(call.principal, room, "presence", `you may not see presence in ${room}`);
  return ok({ room, members: call.ctx.gateway.presenceOf(room) });
}
