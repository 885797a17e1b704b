/**
 * The offline app shell: the page and the built files it loads, so a reload without a network shows
 * the app (whose outbox in IndexedDB still holds the pending messages) instead of the browser's error
 * page. Pages: network first (a deploy shows at once), the cached copy when the network fails.
 * Built files under /assets/ have content hashes in their names: cache first. The API (/v1/…) and
 * /sw.js itself are never cached.
 */
/// <reference lib="webworker" />

export const SHELL_CACHE = "parley-shell";
const PAGE = "/";

/** The built files `index.html` loads (`/assets/…` in its script and stylesheet tags). */
export function assetsOf(html: string): string[] {
  return [...new Set([...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1] ?? ""))].filter(Boolean);
}

/** Caches the page and its files anew and drops files of older builds. */
export async function cacheShell(): Promise<void> {
  const cache = await caches.open(SHELL_CACHE);
  const page = await fetch(PAGE, { cache: "no-cache" });
  if (!page.ok) throw new Error(`the app page answered ${page.status}`);
  const assets = assetsOf(await page.clone().text());
  await cache.addAll(assets);
  await cache.put(PAGE, page);
  const keep = new Set([PAGE, ...assets].map((p) => new URL(p, self.location.origin).href));
  for (const request of await cache.keys()) if (!keep.has(request.url)) await cache.delete(request);
}

/** The answer for a request the shell covers, or undefined to let the browser fetch it as usual. */
export function shellResponse(request: Request, origin: string): Promise<Response> | undefined {
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== origin) return undefined;
  // The admin dashboard is another page: caching it as the chat's shell would open it for every offline route.
  if (url.pathname === "/admin" || url.pathname.startsWith("/admin/")) return undefined;
  if (request.mode === "navigate") return pageFirstFromNetwork(request);
  if (url.pathname.startsWith("/assets/")) return assetFromCache(request);
  return undefined;
}

async function pageFirstFromNetwork(request: Request): Promise<Response> {
  try {
    const response = await fetch(request);
    if (response.ok) await (await caches.open(SHELL_CACHE)).put(PAGE, response.clone());
    return response;
  } catch (err) {
    // Every route of the app is the same page (client-side routing): the cached one serves them all.
    const cached = await caches.match(PAGE, { cacheName: SHELL_CACHE });
    if (cached) return cached;
    throw err;
  }
}

async function assetFromCache(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: SHELL_CACHE });
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await (await caches.open(SHELL_CACHE)).put(request, response.clone());
  return response;
}
