/**
 * The few reads that exist only as REST routes (a message's thread, its edit
 * history), sent with the client's own credentials: the JWT as a bearer
 * token, or the dev-mode user. Errors carry the server's stable code.
 */
import { isErrorCode, ParleyError } from "@parley/protocol";
import type { FetchLike } from "./sse-transport.js";

/** What a REST read needs from the client. */
export interface RestOptions {
  fetch: FetchLike | undefined;
  /** `ws[s]://host/prefix/ws`: the REST base is `http[s]://host/prefix`. */
  url: string;
  user: string | undefined;
  /** The current JWT, if the client has one. */
  credentials(): Promise<string | undefined>;
}

/** GETs `path` (below the base, e.g. `/rooms/general/messages/5/thread`) and returns the JSON body. */
export async function restGet<T>(options: RestOptions, path: string): Promise<T> {
  if (!options.fetch) throw new Error("parley: this read needs `fetch` (pass it in the client options)");
  const headers: Record<string, string> = { accept: "application/json" };
  const token = await options.credentials();
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  else if (options.user !== undefined) headers["x-parley-user"] = options.user;
  return jsonReply<T>(await options.fetch(`${restBase(options.url)}${path}`, { headers }));
}

/**
 * A REST answer's JSON body; for a non-2xx answer, the server's error as a ParleyError with its
 * catalogue code (UNAVAILABLE when the body names none: a proxy's page, a gateway timeout).
 */
export async function jsonReply<T>(res: Response): Promise<T> {
  const json = (await res.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  if (!res.ok) {
    const code = json?.error?.code ?? "";
    throw new ParleyError(isErrorCode(code) ? code : "UNAVAILABLE", json?.error?.message ?? `HTTP ${res.status}`);
  }
  return json as T;
}

/** `ws[s]://host/v1/ws` → `http[s]://host/v1`. */
export function restBase(url: string): string {
  const parsed = new URL(url);
  const scheme = { "ws:": "http:", "wss:": "https:" }[parsed.protocol] ?? parsed.protocol;
  return `${scheme}//${parsed.host}${parsed.pathname.replace(/\/ws\/?$/, "")}`;
}
