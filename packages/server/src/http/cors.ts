import type { IncomingMessage, ServerResponse } from "node:http";

const ALLOW_HEADERS = "authorization, content-type, x-parley-user";
const ALLOW_METHODS = "GET, POST, PATCH, DELETE, OPTIONS";

/** Whether `origin` is in the allow-list (`*` allows every origin). */
export function originAllowed(allowed: readonly string[], origin: string): boolean {
  return allowed.includes("*") || allowed.includes(origin);
}

/**
 * CORS for the REST API, from the same `allowedOrigins` list as WebSocket/SSE.
 * Sets the headers for an allowed cross-origin request and answers its
 * preflight; returns true when the request was fully handled (a preflight).
 * Bearer tokens travel in a header, never cookies, so credentials are not enabled.
 */
export function applyCors(allowed: readonly string[], req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin || !originAllowed(allowed, origin)) return false;
  res.setHeader("access-control-allow-origin", origin);
  res.setHeader("vary", "Origin");
  if (req.method !== "OPTIONS" || !req.headers["access-control-request-method"]) return false;
  res.writeHead(204, {
    "access-control-allow-methods": ALLOW_METHODS,
    "access-control-allow-headers": ALLOW_HEADERS,
    "access-control-max-age": "600",
  });
  res.end();
  return true;
}
