/**
 * The web app's service worker, served at /sw.js (scope /): serves the app
 * shell when offline (shell.ts), shows a notification for each Web Push from
 * the Parley server and opens or focuses the room when the notification is clicked. Built by Vite as a second entry
 * (vite.config.ts); type-checked with the WebWorker lib (tsconfig.sw.json).
 */
/// <reference lib="webworker" />
import { notificationFor, roomUrl, type PushPayload } from "./notification.js";
import { cacheShell, shellResponse } from "./shell.js";

declare const self: ServiceWorkerGlobalScope;

// A new version takes over at once: pages come from the network first, and the built files of every
// version have names of their own, so an open tab never gets a file of another build.
self.addEventListener("install", (event) => {
  void self.skipWaiting();
  // Without the shell the worker still shows notifications; the page fills the cache on its next load.
  event.waitUntil(cacheShell().catch((err: unknown) => console.warn("offline shell not cached", err)));
});
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
self.addEventListener("fetch", (event) => {
  const response = shellResponse(event.request, self.location.origin);
  if (response) event.respondWith(response);
});

self.addEventListener("push", (event) => {
  const payload = parse(event.data);
  if (!payload) return;
  const { title, options } = notificationFor(payload);
  event.waitUntil(self.registration.showNotification(title, options));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const room = (event.notification.data as { room?: unknown } | null)?.room;
  if (typeof room !== "string") return;
  event.waitUntil(openRoom(room));
});

/** Focuses an open app window and tells it to open the room, or opens a new window on the room. */
async function openRoom(room: string): Promise<void> {
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const target = windows.find((w) => new URL(w.url).origin === self.location.origin);
  if (target) {
    target.postMessage({ type: "parley:open-room", room });
    await target.focus();
    return;
  }
  await self.clients.openWindow(roomUrl(room));
}

function parse(data: PushMessageData | null): PushPayload | undefined {
  try {
    const value = data?.json() as Partial<PushPayload> | undefined;
    return typeof value?.room === "string" && typeof value.from === "string" ? (value as PushPayload) : undefined;
  } catch {
    return undefined;
  }
}
