// The fallback rule wired into the connection: which attempts count as a failed transport.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyClient } from "./client.js";
import { waitUntil } from "./test-support/fake-server.js";
import type { CloseEventLike, WebSocketLike } from "./transport.js";

/** A WebSocket that opens (or not) and then closes with `closeCode`, counting its instances. */
function closingWebSocket(closeCode: number, opens: boolean) {
  const made = { count: 0 };
  class ClosingWebSocket implements WebSocketLike {
    readyState = 0;
    onopen: ((event: unknown) => void) | null = null;
    onmessage: ((event: { data: unknown }) => void) | null = null;
    onclose: ((event: CloseEventLike) => void) | null = null;
    onerror: ((event: unknown) => void) | null = null;
    constructor() {
      made.count++;
      setTimeout(() => {
        if (opens) ((this.readyState = 1), this.onopen?.({}));
        setTimeout(() => ((this.readyState = 3), this.onclose?.({ code: closeCode, reason: "test" })), 1);
      }, 1);
    }
    send(): void {}
    close(): void {}
  }
  return { WebSocket: ClosingWebSocket, made };
}

/** A fetch that records SSE stream requests and never answers them (until aborted), so attempts stop there. */
function recordingFetch() {
  const calls: string[] = [];
  const fetch = (url: string, init: RequestInit) => {
    calls.push(url);
    return new Promise<Response>((_, reject) =>
      init.signal?.addEventListener("abort", () => reject(new Error("aborted"))),
    );
  };
  return { fetch, calls };
}

function client(ws: ReturnType<typeof closingWebSocket>, fetch: ReturnType<typeof recordingFetch>) {
  return new ParleyClient({
    url: "ws://parley.test/v1/ws",
    WebSocket: ws.WebSocket,
    fetch: fetch.fetch,
    backoff: { minMs: 1, maxMs: 5 },
  });
}

test("upgrades that fail without a word from the server (1006) switch to SSE after two attempts", async () => {
  const ws = closingWebSocket(1006, false);
  const sse = recordingFetch();
  const c = client(ws, sse);
  c.connect().catch(() => undefined);
  await waitUntil(() => sse.calls.length >= 1, 2000, "an SSE attempt");
  c.disconnect();
  assert.equal(ws.made.count, 2);
  assert.deepEqual(sse.calls, ["http://parley.test/v1/sse"]);
});

test("a Parley close code (4000+) proves the server answered: WebSocket is kept", async () => {
  const ws = closingWebSocket(4006, true);
  const sse = recordingFetch();
  const c = client(ws, sse);
  c.connect().catch(() => undefined);
  await waitUntil(() => ws.made.count >= 5, 2000, "five WebSocket attempts");
  c.disconnect();
  assert.deepEqual(sse.calls, []);
});
