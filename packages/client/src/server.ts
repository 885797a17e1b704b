/**
 * `@parley/client/server`: a typed client of the server API (docs/server-api.md) for backends.
 * It authenticates with a server key (`<key id>.<secret>`), never a user's token, so it belongs on
 * servers only: a key must never reach a browser. Every failure is a ParleyError with the
 * catalogue's code, as the rest of the SDK throws.
 */
import { ParleyError, type ErrorCode, type Json, type PresenceMember } from "@parley/protocol";
import { jsonReply } from "./rest.js";
import type { FetchLike } from "./sse-transport.js";

export { ParleyError } from "@parley/protocol";

/** Options of ParleyServerClient. */
export interface ParleyServerClientOptions {
  /** A gateway's base URL, e.g. `https://chat.example.com` (the client appends `/v1/server/…`). */
  readonly url: string;
  /** The server key, `<key id>.<secret>` (`parley server-key`). */
  readonly key: string;
  /** Default: the global `fetch`. */
  readonly fetch?: FetchLike;
}

/** A message to publish as `from`: any user id (a bot, a system user). */
export interface ServerMessage {
  readonly from: string;
  readonly body: Json;
  /** Default `message` (docs/chat.md). */
  readonly kind?: string;
  /** Pass one to retry safely: a second publish with the same cmid and author is the first one (`dup`). Default: a fresh UUID. */
  readonly cmid?: string;
}

/** Where a publish was sequenced. */
export interface Published {
  readonly seq: number;
  readonly ts: number;
  readonly id: string;
  /** True when the cmid had been published before: this is that first event's answer. */
  readonly dup: boolean;
}

/** One room's outcome of a broadcast. */
export type BroadcastResult =
  | ({ readonly room: string; readonly ok: true } & Published)
  | { readonly room: string; readonly ok: false; readonly error: ParleyError };

/** A room as the server stores it. */
export interface ServerRoom {
  readonly id: string;
  readonly type: "public" | "private";
  readonly name: string;
  readonly createdBy: string;
  readonly createdAt: number;
}

/** A room to create; `from` (default the key's id) is its creator and first member. */
export interface NewServerRoom {
  readonly type: "public" | "private";
  readonly name: string;
  readonly id?: string;
  readonly from?: string;
  readonly members?: readonly string[];
}

/** A room member. */
export interface ServerMember {
  readonly room: string;
  readonly user: string;
  readonly joinedAt: number;
  readonly lastReadSeq: number;
}

/** How many users and connections are in a room. */
export interface RoomOccupancy {
  readonly room: string;
  readonly users: number;
  readonly connections: number;
}

/** Who is in a room, with its occupancy. */
export interface RoomPresence extends RoomOccupancy {
  readonly members: PresenceMember[];
}

/** Who a change is announced as (default the key's id). */
export interface Acting {
  readonly from?: string;
}

/** A typed client of one Parley deployment's server API. */
export class ParleyServerClient {
  readonly #base: string;
  readonly #key: string;
  readonly #fetch: FetchLike;

  constructor(options: ParleyServerClientOptions) {
    this.#base = options.url.replace(/\/+$/, "");
    this.#key = options.key;
    const fetchImpl = options.fetch ?? globalThis.fetch?.bind(globalThis);
    if (!fetchImpl) throw new Error("parley: the server client needs `fetch` (pass it in the options)");
    this.#fetch = fetchImpl;
  }

  /** Publishes `message` to `room` as `message.from`. */
  publish(room: string, message: ServerMessage): Promise<Published> {
    return this.#call("POST", `/rooms/${enc(room)}/messages`, publishBody(message));
  }

  /** Publishes one message to every room in `rooms` (at most 100); one result per room, in order. */
  async broadcast(rooms: readonly string[], message: ServerMessage): Promise<BroadcastResult[]> {
    type Wire = { room: string; error?: { code: ErrorCode; message: string } } & Published;
    const { results } = await this.#call<{ results: Wire[] }>("POST", "/broadcast", { ...publishBody(message), rooms });
    return results.map(({ error, ...r }) =>
      error ? { room: r.room, ok: false, error: new ParleyError(error.code, error.message) } : { ...r, ok: true },
    );
  }

  /** Creates a room (and adds `members`). */
  createRoom(room: NewServerRoom): Promise<ServerRoom> {
    return this.#call("POST", "/rooms", room);
  }

  /** Deletes a public or private room: every subscription ends, its history becomes unreadable. Idempotent. */
  async deleteRoom(room: string, acting: Acting = {}): Promise<void> {
    await this.#call("DELETE", `/rooms/${enc(room)}${fromQuery(acting)}`);
  }

  /** The room's members. */
  async members(room: string): Promise<ServerMember[]> {
    return (await this.#call<{ members: ServerMember[] }>("GET", `/rooms/${enc(room)}/members`)).members;
  }

  /** Adds `user` to a public or private room. Idempotent. */
  async addMember(room: string, user: string, acting: Acting = {}): Promise<void> {
    await this.#call("POST", `/rooms/${enc(room)}/members`, { user, ...acting });
  }

  /** Removes `user` from a public or private room. Idempotent. */
  async removeMember(room: string, user: string, acting: Acting = {}): Promise<void> {
    await this.#call("DELETE", `/rooms/${enc(room)}/members/${enc(user)}${fromQuery(acting)}`);
  }

  /** Who is subscribed to `room` now (cluster-wide). */
  presence(room: string): Promise<RoomPresence> {
    return this.#call("GET", `/rooms/${enc(room)}/presence`);
  }

  /** Every room someone is subscribed to, busiest first (default 100, at most 1000). */
  async occupancy(options: { limit?: number } = {}): Promise<RoomOccupancy[]> {
    const query = options.limit === undefined ? "" : `?limit=${options.limit}`;
    return (await this.#call<{ rooms: RoomOccupancy[] }>("GET", `/occupancy${query}`)).rooms;
  }

  /**
   * Closes `user`'s sessions on every gateway: terminal (close 4503) unless `reconnect` (4008).
   * Resolves with how many sessions the answering gateway closed; the others close theirs as they hear.
   */
  async disconnect(user: string, options: { reconnect?: boolean } = {}): Promise<{ closedHere: number }> {
    const reply = await this.#call<{ closedHere: number }>("POST", `/users/${enc(user)}/disconnect`, options);
    return { closedHere: reply.closedHere };
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", authorization: `Bearer ${this.#key}` };
    if (body !== undefined) headers["content-type"] = "application/json";
    const init: RequestInit = { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) };
    let res: Response;
    try {
      res = await this.#fetch(`${this.#base}/v1/server${path}`, init);
    } catch (err) {
      // No answer at all (refused, reset, DNS): retryable, as the server's own UNAVAILABLE is.
      throw new ParleyError("UNAVAILABLE", `parley: ${method} ${path} got no answer`, { cause: err });
    }
    return jsonReply<T>(res);
  }
}

function publishBody(message: ServerMessage): Record<string, unknown> {
  return { ...message, cmid: message.cmid ?? globalThis.crypto.randomUUID() };
}

function enc(id: string): string {
  return encodeURIComponent(id);
}

function fromQuery(acting: Acting): string {
  return acting.from === undefined ? "" : `?from=${enc(acting.from)}`;
}
