import { randomUUID } from "node:crypto";
import type { Json } from "@parley/protocol";

/** A REST answer: status and parsed JSON body. */
export interface RestReply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** REST calls as a dev-mode user (`X-Parley-User`), or with a bearer token, against a server's base URL. */
export function restAs(baseUrl: string, who: string | { token: string }) {
  const auth: Record<string, string> =
    typeof who === "string" ? { "x-parley-user": who } : { authorization: `Bearer ${who.token}` };
  const call = async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: { "content-type": "application/json", ...auth },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T } satisfies RestReply<T>;
  };
  return {
    call,
    /** Publishes a message body (kind `message` unless given) and returns its seq. */
    async publish(room: string, body: Json, kind = "message"): Promise<number> {
      const reply = await call<{ seq: number }>("POST", `/v1/rooms/${encodeURIComponent(room)}/messages`, {
        cmid: randomUUID(),
        kind,
        body,
      });
      if (reply.status !== 201) throw new Error(`publish to ${room}: ${reply.status} ${JSON.stringify(reply.body)}`);
      return reply.body.seq;
    },
  };
}
