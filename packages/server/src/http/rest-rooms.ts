import { randomBytes, randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { ParleyError, dmRoomId, isDmId, type AccessBody, type Json } from "@parley/protocol";
import { capsAllow } from "../policy/access.js";
import type { Principal } from "../auth/principal.js";
import type { Room } from "../store/store.js";
import { principalOf, type HttpContext } from "./context.js";
import { readJsonObject, sendJson } from "./respond.js";
import { withUnread } from "./rest-reads.js";
import type { Params, Router } from "./router.js";
import { queryLimit, requireId, requireText } from "./validate.js";

type RoomHandler = (ctx: HttpContext, p: Principal, req: IncomingMessage, params: Params, url: URL) => Promise<Reply>;
type Reply = { status: number; body: unknown };

/** Registers room, membership, DM and presence routes. Literal paths come before `{room}` ones. */
export function addRoomRoutes(router: Router, ctx: HttpContext): void {
  const add = (method: string, path: string, fn: RoomHandler): void => {
    router.add(method, path, async (req: IncomingMessage, res: ServerResponse, params, url) => {
      const principal = await principalOf(ctx, req);
      const reply = await fn(ctx, principal, req, params, url);
      sendJson(res, reply.status, reply.body);
    });
  };
  // As `unread` does, rooms the token may not subscribe to are left out: a scoped token sees only its rooms.
  add("GET", "/v1/rooms", async (c, p) => {
    const rooms = (await c.store.listRoomsOf(p.user)).filter((room) => capsAllow(p.caps, room.id, "subscribe"));
    return ok({ rooms: await withUnread(c, p.user, rooms) });
  });
  add("GET", "/v1/rooms/public", async (c, p, _r, _q, url) => {
    const rooms = await c.store.listPublicRooms(pageLimit(url));
    return ok({ rooms: rooms.filter((room) => capsAllow(p.caps, room.id, "subscribe")) });
  });
  add("POST", "/v1/rooms", createRoom);
  add("POST", "/v1/dms", openDm);
  add("POST", "/v1/rooms/{room}/join", join);
  add("POST", "/v1/rooms/{room}/leave", leave);
  add("GET", "/v1/rooms/{room}/members", listMembers);
  add("POST", "/v1/rooms/{room}/members", addMember);
  add("GET", "/v1/rooms/{room}/presence", presence);
}

function ok(body: unknown, status = 200): Reply {
  return { status, body };
}

function pageLimit(url: URL): number {
  return queryLimit(url, 500, 100);
}

async function existingRoom(ctx: HttpContext, id: string): Promise<Room> {
  const room = await ctx.store.getRoom(requireId("room", id));
  if (!room) throw new ParleyError("ROOM_NOT_FOUND", `no room ${id}`);
  return room;
}

/**
 * Creating a room needs the publish capability on its id, and an id nobody
 * has used: an implicit (open) room that already has events belongs to the
 * people in it, so claiming it (making it private, becoming the creator who
 * manages its webhooks) is ROOM_EXISTS, as for a created room.
 */
async function createRoom(ctx: HttpContext, p: Principal, req: IncomingMessage): Promise<Reply> {
  const input = await readJsonObject(req, ctx.config.maxFrameBytes);
  const id = input.id === undefined ? `r-${randomBytes(9).toString("base64url")}` : requireId("room", input.id, "id");
  if (isDmId(id)) throw new ParleyError("BAD_REQUEST", "`dm:` ids are reserved; use POST /v1/dms");
  if (input.type !== "public" && input.type !== "private")
    throw new ParleyError("BAD_REQUEST", "`type` must be public or private");
  const name = requireText(input.name, "name", 200);
  if (!capsAllow(p.caps, id, "publish")) throw new ParleyError("FORBIDDEN", `your token does not allow room ${id}`);
  if ((await ctx.log.head(id)).lastSeq > 0)
    throw new ParleyError("ROOM_EXISTS", `${id} is an open room already in use; choose another id`);
  const room = await ctx.store.createRoom({ id, type: input.type, name, createdBy: p.user });
  // Someone may be subscribed to the open room this id was: only the creator may read it now.
  if (room.type === "private") await announceAccess(ctx, id, p.user, { type: "room.private", members: [p.user] });
  return ok(room, 201);
}

/**
 * Sequences an access change in the room (docs/chat.md, "Membership events"). Every gateway
 * reads every event, so each ends its own subscriptions of the users the change shuts out,
 * whichever gateway this request came to. A failure fails the request (a created room stays,
 * and a subscription its id had as an open room runs on until its client subscribes again).
 */
async function announceAccess(ctx: HttpContext, room: string, from: string, body: AccessBody): Promise<void> {
  await ctx.log.append({ room, cmid: `access-${randomUUID()}`, from, kind: "system", body: body as Json });
}

/** Opens (creating on first use) the DM room between the caller and `user`. */
async function openDm(ctx: HttpContext, p: Principal, req: IncomingMessage): Promise<Reply> {
  const input = await readJsonObject(req, ctx.config.maxFrameBytes);
  const other = requireId("user", input.user);
  if (other === p.user) throw new ParleyError("BAD_REQUEST", "a DM needs another user");
  const id = dmRoomId(p.user, other);
  const existing = await ctx.store.getRoom(id);
  if (existing) return ok(existing);
  let room: Room;
  try {
    room = await ctx.store.createRoom({ id, type: "dm", name: "", createdBy: p.user });
  } catch (err) {
    if (!(err instanceof ParleyError && err.code === "ROOM_EXISTS")) throw err;
    return ok(await existingRoom(ctx, id)); // a concurrent request created it first
  }
  await ctx.store.addMember(id, other);
  return ok(room, 201);
}

/** Joins a public room (or is a no-op for a member); private rooms and DMs need an invitation. */
async function join(ctx: HttpContext, p: Principal, _req: IncomingMessage, params: Params): Promise<Reply> {
  const room = await existingRoom(ctx, params.room!);
  if (!capsAllow(p.caps, room.id, "subscribe"))
    throw new ParleyError("FORBIDDEN", `your token does not allow ${room.id}`);
  if (room.type !== "public" && !(await ctx.store.isMember(room.id, p.user))) {
    throw new ParleyError("FORBIDDEN", `${room.id} is ${room.type}; a member must add you`);
  }
  await ctx.store.addMember(room.id, p.user);
  return ok({ room: room.id, user: p.user, member: true });
}

async function leave(ctx: HttpContext, p: Principal, _req: IncomingMessage, params: Params): Promise<Reply> {
  const room = await existingRoom(ctx, params.room!);
  const left = { room: room.id, user: p.user, member: false };
  // Only a private room's rule depends on membership; a non-member's leave changes nothing to announce.
  if (!(await ctx.store.removeMember(room.id, p.user)) || room.type !== "private") return ok(left);
  try {
    await announceAccess(ctx, room.id, p.user, { type: "member.left", user: p.user });
  } catch (err) {
    // Not announced, so not left: undone, the request fails and its retry removes and announces again.
    await ctx.store.addMember(room.id, p.user).catch(() => undefined);
    throw err;
  }
  return ok(left);
}

async function listMembers(ctx: HttpContext, p: Principal, _req: IncomingMessage, params: Params): Promise<Reply> {
  const room = await existingRoom(ctx, params.room!);
  await ctx.policy.access.require(p, room.id, "subscribe", `you may not see the members of ${room.id}`);
  return ok({ members: await ctx.store.listMembers(room.id) });
}

/** Members may add others to public and private rooms; DM membership is fixed. */
async function addMember(ctx: HttpContext, p: Principal, req: IncomingMessage, params: Params): Promise<Reply> {
  const room = await existingRoom(ctx, params.room!);
  const input = await readJsonObject(req, ctx.config.maxFrameBytes);
  const user = requireId("user", input.user);
  if (room.type === "dm") throw new ParleyError("FORBIDDEN", "DM membership cannot change");
  if (!(await ctx.store.isMember(room.id, p.user)))
    throw new ParleyError("FORBIDDEN", `only members of ${room.id} may add others`);
  await ctx.store.addMember(room.id, user);
  return ok({ room: room.id, user, member: true }, 201);
}

async function presence(ctx: HttpContext, p: Principal, _req: IncomingMessage, params: Params): Promise<Reply> {
  const room = requireId("room", params.room);
  await ctx.policy.access.require(p, room, "presence", `you may not see presence in ${room}`);
  return ok({ room, members: ctx.gateway.presenceOf(room) });
}
