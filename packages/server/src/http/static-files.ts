import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, resolve, sep } from "node:path";

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
    "content-type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
    "content-length": info.size,
    "x-content-type-options": "nosniff",
    // Unhashed entry points (the page, the service worker at /sw.js) must be revalidated to update.
    "cache-control": file.endsWith(".html") || file.endsWith("/sw.js") ? "no-cache" : "public, max-age=3600",
  });
  if (req.method === "HEAD") res.end();
  else createReadStream(file).pipe(res);
  return true;
}
