import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { ParleyConfig } from "../config/options.js";

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

/**
 * Whether a request's Host header names this server. It guards against DNS
 * rebinding: a page on attacker.example whose name is re-pointed at
 * 127.0.0.1 is same-origin with itself, so the Origin check lets it through,
 * but its requests carry `Host: attacker.example`. Allowed: no Host (not a
 * browser), an IP address (no name to rebind), `localhost` and `*.localhost`,
 * the listen host, and `allowedHosts`. Checked in dev mode (where anyone is
 * anyone) and whenever `allowedHosts` is set.
 */
export function hostAllowed(
  req: IncomingMessage,
  config: Pick<ParleyConfig, "dev" | "allowedHosts" | "host">,
): boolean {
  if (!config.dev && config.allowedHosts.length === 0) return true;
  const header = req.headers.host;
  if (header === undefined) return true;
  let name: string;
  try {
    name = new URL(`http://${header}`).hostname;
  } catch {
    return false;
  }
  if (isIP(name.replace(/^\[(.*)\]$/, "$1")) || name === "localhost" || name.endsWith(".localhost")) return true;
  return name === config.host?.toLowerCase() || config.allowedHosts.some((h) => h.toLowerCase() === name);
}
