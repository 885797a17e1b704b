import { IndexedDbOutboxStorage, MemoryOutboxStorage, ParleyClient } from "@parley/client/browser";
import { OutboxTracker } from "@parley/react";

/** Who the app acts as: a dev-mode name, or a JWT (whose `sub` is the user). */
export interface Session {
  user: string;
  token?: string;
}

const KEY = "parley.session";

/** The session saved by the last sign-in, if any. */
export function loadSession(): Session | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    const value = raw ? (JSON.parse(raw) as Session) : undefined;
    return value && typeof value.user === "string" ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Remembers the session across reloads (the outbox survives them too). */
export function saveSession(session: Session | undefined): void {
  if (session) localStorage.setItem(KEY, JSON.stringify(session));
  else localStorage.removeItem(KEY);
}

/** The user a JWT names (`sub`), without verifying it: the server does that. */
export function userOfToken(token: string): string | undefined {
  try {
    const payload = token.split(".")[1] ?? "";
    const json = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const sub = (JSON.parse(json) as { sub?: unknown }).sub;
    return typeof sub === "string" ? sub : undefined;
  } catch {
    return undefined;
  }
}

/** A client for the session, with an outbox per user so accounts sharing a browser never mix messages. */
export function createClient(session: Session): { client: ParleyClient; tracker: OutboxTracker } {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const storage = globalThis.indexedDB
    ? new IndexedDbOutboxStorage({ name: `parley-outbox-${session.user}` })
    : new MemoryOutboxStorage();
  const tracker = new OutboxTracker(storage);
  const auth = session.token ? { token: session.token } : { user: session.user };
  // Retries at most 1.5 s apart (full jitter; the SDK default waits up to 20 s), so the app is back within
  // about 2 s of the network returning. A refused connection costs the server little.
  const backoff = { minMs: 500, maxMs: 1_500 };
  const client = new ParleyClient({ url: `${scheme}//${location.host}/v1/ws`, outbox: tracker, backoff, ...auth });
  return { client, tracker };
}
