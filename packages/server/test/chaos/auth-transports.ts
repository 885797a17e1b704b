/**
 * One face for the three ways in: WebSocket and SSE (`connect` frame with a
 * token) and REST (`Authorization: Bearer`). The auth matrix runs the same
 * cases through each and compares outcomes: "ok" or the error code.
 */
import { randomUUID } from "node:crypto";
import type { ServerFrame } from "@parley/protocol";
import { RawClient } from "../support/raw-client.js";
import { SseClient } from "../support/sse-client.js";

/**
 * What a client may try on a room. REST has no subscriptions. `react` and
 * `receipt` are publishes of those kinds on seq 1 (which must be a message);
 * `search` searches the room.
 */
export type RoomAction = "sub" | "history" | "pub" | "react" | "receipt" | "search";

/** The kind and body of the chat publishes among the actions. */
const CHAT_PUBLISH: Partial<Record<RoomAction, { kind: string; body: unknown }>> = {
  react: { kind: "reaction", body: { target: 1, emoji: "👍", op: "add" } },
  receipt: { kind: "receipt", body: { upTo: 1 } },
};

/** "ok" or the catalogued error code. */
export type Outcome = string;

/** An authenticated session on one transport. */
export interface AuthSession {
  attempt(action: RoomAction, room: string): Promise<Outcome>;
  /** Events received for `room` (always 0 on REST). */
  eventsIn(room: string): number;
  close(): void;
}

/** A transport: open a session with a token, or learn the refusal code. */
export interface AuthTransport {
  readonly name: "ws" | "sse" | "rest";
  readonly actions: readonly RoomAction[];
  open(token: string): Promise<AuthSession | { refused: Outcome }>;
}

function frameFor(action: RoomAction, room: string): Record<string, unknown> & { t: string } {
  if (action === "pub") return { t: "pub", room, cmid: randomUUID(), body: "matrix" };
  const chat = CHAT_PUBLISH[action];
  if (chat) return { t: "pub", room, cmid: randomUUID(), ...chat };
  if (action === "search") return { t: "search", room, q: "matrix" };
  return { t: action, room };
}

const ALL_ACTIONS: readonly RoomAction[] = ["sub", "history", "pub", "react", "receipt", "search"];

const outcome = (reply: ServerFrame): Outcome => (reply.t === "error" ? reply.code : "ok");

/** Over WebSocket. */
export function wsTransport(wsUrl: string): AuthTransport {
  return {
    name: "ws",
    actions: ALL_ACTIONS,
    async open(token) {
      const c = await RawClient.open(wsUrl);
      const reply = await c.request({ t: "connect", versions: [1], token });
      if (reply.t !== "connected") {
        c.terminate();
        return { refused: outcome(reply) };
      }
      return {
        attempt: async (action, room) => outcome(await c.request(frameFor(action, room))),
        eventsIn: (room) => c.events(room).length,
        close: () => c.terminate(),
      };
    },
  };
}

/** Over SSE + POST. */
export function sseTransport(httpUrl: string): AuthTransport {
  return {
    name: "sse",
    actions: ALL_ACTIONS,
    async open(token) {
      const c = await SseClient.open(httpUrl);
      const reply = await c.request({ t: "connect", versions: [1], token });
      if (reply.t !== "connected") {
        c.destroy();
        return { refused: outcome(reply) };
      }
      return {
        attempt: async (action, room) => outcome(await c.request(frameFor(action, room))),
        eventsIn: (room) => c.events(room).length,
        close: () => c.destroy(),
      };
    },
  };
}

/** Over the REST API: `sub` does not exist there; `history` and `pub` are the messages routes. */
export function restTransport(httpUrl: string): AuthTransport {
  const call = async (token: string, method: string, path: string, body?: unknown): Promise<Outcome> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const init: RequestInit = { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
    const res = await fetch(httpUrl + path, init);
    const json = (await res.json()) as { error?: { code: string } };
    return res.ok ? "ok" : (json.error?.code ?? `HTTP ${res.status}`);
  };
  return {
    name: "rest",
    actions: ALL_ACTIONS.filter((a) => a !== "sub"),
    async open(token) {
      const result = await call(token, "GET", "/v1/rooms");
      if (result !== "ok") return { refused: result };
      return {
        attempt: (action, room) => {
          const path = `/v1/rooms/${encodeURIComponent(room)}/messages`;
          if (action === "pub") return call(token, "POST", path, { cmid: randomUUID(), body: "matrix" });
          const chat = CHAT_PUBLISH[action];
          if (chat) return call(token, "POST", path, { cmid: randomUUID(), ...chat });
          if (action === "search") return call(token, "GET", `/v1/search?q=matrix&room=${encodeURIComponent(room)}`);
          return call(token, "GET", path);
        },
        eventsIn: () => 0,
        close: () => undefined,
      };
    },
  };
}
