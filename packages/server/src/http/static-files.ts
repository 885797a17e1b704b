import { createReadStream, existsSync } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".ico": "image/x-icon",
  ".webp": "image/webp",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
  ".webmanifest": "application/manifest+json",
};

/**
 * The web app's security headers. The CSP allows only this origin: scripts and
 * styles from files (the Vite build has no inline ones; React sets styles
 * through the CSSOM, which CSP does not govern), the API and the WebSocket on
 * this host, the service worker from here, images from here plus `data:` (the
 * empty favicon). No framing (clickjacking), no referrer to other sites.
 */
export function securityHeaders(host: string | undefined): Record<string, string> {
  // A Host header is one token (the parser refuses CR/LF); anything unusual just gets no explicit ws/wss source.
  const self = host && /^[A-Za-z0-9.:[\]-]+$/.test(host) ? ` ws://${host} wss://${host}` : "";
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${self}`,
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
  return {
    "content-security-policy": csp,
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
  };
}

/**
 * Resolves a URL pathname inside `root`, or undefined when it would escape it
 * (`..`, encoded separators, NUL). The check is on the resolved path, so no
 * spelling of a traversal gets through.
 */
export function safeJoin(root: string, pathname: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes("\0") || decoded.includes("\\")) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  return full === base || full.startsWith(base + sep) ? full : undefined;
}

async function fileAt(path: string): Promise<string | undefined> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return path;
  if (info?.isDirectory())
    return (await stat(join(path, "index.html")).catch(() => undefined))?.isFile()
      ? join(path, "index.html")
      : undefined;
  return undefined;
}

/**
 * Serves GET/HEAD for files under `root`; unknown paths without a file
 * extension get index.html (client-side routing). Returns false when not handled.
 */
export async function serveStatic(
  root: string,
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  const target = safeJoin(root, pathname);
  if (!target) return false;
  const file =
    (await fileAt(target)) ?? (extname(pathname) === "" ? await fileAt(join(resolve(root), "index.html")) : undefined);
  if (!file) return false;
  const info = await stat(file);
  res.writeHead(200, {
    ...securityHeaders(req.headers.host),
    "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    // Unhashed entry points (the page, the service worker at /sw.js) must be revalidated to update.
    "cache-control": file.endsWith(".html") || file.endsWith("/sw.js") ? "no-cache" : "public, max-age=3600",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}

/**
 * Where a built web app may sit beside the server: shipped inside the server
 * package (`web/`), or the monorepo's `apps/web/dist` (this file is
 * packages/server/dist/http/static-files.js).
 */
export const WEB_APP_BESIDE = [
  fileURLToPath(new URL("../../web/", import.meta.url)),
  fileURLToPath(new URL("../../../../apps/web/dist/", import.meta.url)),
];

/** The first of `candidates` holding an index.html: the web app `parley start` serves without `--web-root`. */
export function findWebApp(candidates: readonly string[] = WEB_APP_BESIDE): string | undefined {
  return candidates.find((dir) => existsSync(join(dir, "index.html")));
}

/** What `parley start` says when it found no web app to serve at `/`. */
export const NO_WEB_APP =
  "no web app to serve at / (only the API): build it in the Parley repository with `npx tsc -b && npm run build -w apps/web` (`npm start` does both), or pass --web-root <dir of the built app>";
