import type { InboxRoom } from "@parley/client";
import type { Session } from "./session.js";

/** A room in the sidebar, as the per-user channel (`useRooms`) pushes it, with its counts. */
export type RoomSummary = InboxRoom;

/** A public room anyone may join (or one just created or opened). */
export interface PublicRoom {
  id: string;
  type: RoomSummary["type"];
  name: string;
  createdBy: string;
  createdAt: number;
}

/** `GET /v1/rooms/{room}`: what a room is, for a caller who may open it. */
export interface RoomInfo {
  id: string;
  type: RoomSummary["type"];
  /** Empty for a DM and for an implicit open room. */
  name: string;
  createdBy?: string;
  member: boolean;
  /** Whether I may remove members and rename it: its creator, or a token with `delete_any` on it. */
  moderator: boolean;
  /** An open room that has events but was never created. */
  implicit: boolean;
}

/** A REST failure with the server's error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The small REST client the app needs (rooms, DMs), authenticated like the socket. */
export class Api {
  constructor(private readonly session: Session) {}

  async publicRooms(): Promise<PublicRoom[]> {
    return (await this.call<{ rooms: PublicRoom[] }>("GET", "/v1/rooms/public?limit=100")).rooms;
  }

  createRoom(name: string, type: "public" | "private"): Promise<PublicRoom> {
    return this.call("POST", "/v1/rooms", { name, type, id: slug(name) });
  }

  join(room: string): Promise<unknown> {
    return this.call("POST", `/v1/rooms/${encodeURIComponent(room)}/join`);
  }

  /** The room's members (for `@` suggestions); rooms that were never created have none. */
  async members(room: string): Promise<string[]> {
    const { members } = await this.call<{ members: { user: string }[] }>(
      "GET",
      `/v1/rooms/${encodeURIComponent(room)}/members`,
    );
    return members.map((m) => m.user);
  }

  /** What a room is; looking creates nothing (ROOM_NOT_FOUND for a mistyped id, FORBIDDEN when shut out). */
  room(id: string): Promise<RoomInfo> {
    return this.call("GET", roomPath(id));
  }

  /** The caller's rooms with unread counts: the sidebar's first paint when the per-user channel cannot answer. */
  async myRooms(): Promise<RoomSummary[]> {
    const { rooms } = await this.call<{ rooms: Omit<RoomSummary, "mentions">[] }>("GET", "/v1/rooms");
    return rooms.map((r) => ({
      id: r.id,
      type: r.type,
      name: r.name,
      lastSeq: r.lastSeq,
      lastReadSeq: r.lastReadSeq,
      unread: r.unread,
      mentions: 0,
    }));
  }

  rename(room: string, name: string): Promise<PublicRoom> {
    return this.call("PATCH", roomPath(room), { name });
  }

  leave(room: string): Promise<unknown> {
    return this.call("POST", `${roomPath(room)}/leave`);
  }

  addMember(room: string, user: string): Promise<unknown> {
    return this.call("POST", `${roomPath(room)}/members`, { user });
  }

  removeMember(room: string, user: string): Promise<unknown> {
    return this.call("DELETE", `${roomPath(room)}/members/${encodeURIComponent(user)}`);
  }

  /** The user directory: who shares a room with me (or everyone, if the operator says so), ids containing `q`. */
  async users(q: string): Promise<string[]> {
    const query = new URLSearchParams({ q, limit: "50" });
    return (await this.call<{ users: string[] }>("GET", `/v1/users?${query}`)).users;
  }

  openDm(user: string): Promise<PublicRoom> {
    return this.call("POST", "/v1/dms", { user });
  }

  async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (this.session.token) headers.authorization = `Bearer ${this.session.token}`;
    else headers["x-parley-user"] = this.session.user;
    const init: RequestInit = { method, headers };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await fetch(path, init);
    const json = (await res.json().catch(() => ({}))) as { error?: { code: string; message: string } };
    if (!res.ok) throw new ApiError(res.status, json.error?.code ?? "HTTP", json.error?.message ?? res.statusText);
    return json as T;
  }
}

const roomPath = (room: string) => `/v1/rooms/${encodeURIComponent(room)}`;

/** `GET /v1/info`: whether the server is in dev mode. */
export async function serverInfo(): Promise<{ dev: boolean; version: string }> {
  const res = await fetch("/v1/info");
  if (!res.ok) throw new Error(`GET /v1/info: ${res.status}`);
  return (await res.json()) as { dev: boolean; version: string };
}

/** A readable room id from a name, with a random tail so two "Design" rooms never collide. */
export function slug(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return `${base || "room"}-${Math.random().toString(36).slice(2, 6)}`;
}

/** The other user of a DM room id `dm:<a>:<b>`. */
export function dmPeer(roomId: string, me: string): string | undefined {
  const parts = roomId.split(":");
  if (parts.length !== 3 || parts[0] !== "dm") return undefined;
  return parts[1] === me ? parts[2] : parts[1];
}

/** What the sidebar and header call a room. */
export function roomTitle(room: Pick<RoomSummary, "id" | "name" | "type">, me: string): string {
  if (room.type === "dm") return `@${dmPeer(room.id, me) ?? room.id}`;
  return room.name || room.id;
}
