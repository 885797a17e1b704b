import type { IncomingMessage } from "node:http";

/**
 * Whether a browser Origin may open a WebSocket or SSE stream. Allowed: no
 * Origin header (non-browser clients), an Origin whose host equals the Host
 * header (same origin), an exact entry of `allowed`, or `*` in `allowed`.
 */
export function originAllowed(req: IncomingMessage, allowed: readonly string[]): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || allowed.includes("*") || allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
