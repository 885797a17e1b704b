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

/** How the fake network answers the HTTP check (`GET http://parley.test/v1/ws`). */
type CheckAnswer = { status: number } | "refused" | "silent";

/**
 * A fetch that answers the HTTP check as told and records SSE stream requests,
 * which it never answers (until aborted), so attempts stop there.
 */
function fakeFetch(answer: CheckAnswer) {
  const calls: string[] = [];
  const checks = { count: 0 };
  const hang = (init: RequestInit) =>
    new Promise<Response>((_, reject) => init.signal?.addEventListener("abort", () => reject(new Error("aborted"))));
  const fetch = (url: string, init: RequestInit) => {
    if (url !== "http://parley.test/v1/ws") {
      calls.push(url);
      return hang(init);
    }
    checks.count++;
    if (answer === "refused") return Promise.reject(new TypeError("fetch failed: ECONNREFUSED"));
    if (answer === "silent") return hang(init);
    return Promise.resolve(new Response("{}", { status: answer.status }));
  };
  return { fetch, calls, checks };
}

function client(
  ws: ReturnType<typeof closingWebSocket>,
  fetch: ReturnType<typeof fakeFetch>,
  connectTimeoutMs = 10_000,
) {
  return new ParleyClient({
    url: "ws://parley.test/v1/ws",
    WebSocket: ws.WebSocket,
    fetch: fetch.fetch,
    backoff: { minMs: 1, maxMs: 5 },
    connectTimeoutMs,
  });
}

test("upgrades that fail while the server answers HTTP (a blocked WebSocket) switch to SSE after two attempts", async () => {
  const ws = closingWebSocket(1006, false);
  const net = fakeFetch({ status: 404 });
  const c = client(ws, net);
  c.connect().catch(() => undefined);
  await waitUntil(() => net.calls.length >= 1, 2000, "an SSE attempt");
  c.disconnect();
  assert.equal(ws.made.count, 2);
  assert.equal(net.checks.count, 2, "each failed upgrade was checked over HTTP");
  assert.deepEqual(net.calls, ["http://parley.test/v1/sse"]);
});

for (const [what, answer] of [
  ["refused (the server is down)", "refused"],
  ["answered 502 by a gateway in front", { status: 502 }],
  ["answered 503", { status: 503 }],
  ["not answered within the connect timeout", "silent"],
] as const) {
  test(`upgrades that fail while HTTP is ${what} keep WebSocket, backing off`, async () => {
    const ws = closingWebSocket(1006, false);
    const net = fakeFetch(answer);
    const c = client(ws, net, 50);
    c.connect().catch(() => undefined);
    await waitUntil(() => ws.made.count >= 6, 5000, "six WebSocket attempts");
    c.disconnect();
    assert.ok(net.checks.count >= 5, `checks: ${net.checks.count}`);
    assert.deepEqual(net.calls, [], "no SSE attempt");
  });
}

test("a Parley close code (4000+) proves the server answered: WebSocket is kept without an HTTP check", async () => {
  const ws = closingWebSocket(4006, true);
  const net = fakeFetch({ status: 404 });
  const c = client(ws, net);
  c.connect().catch(() => undefined);
  await waitUntil(() => ws.made.count >= 5, 2000, "five WebSocket attempts");
  c.disconnect();
  assert.deepEqual(net.calls, []);
  assert.equal(net.checks.count, 0);
});

test("with WebSocket as the only transport no HTTP check is sent", async () => {
  const ws = closingWebSocket(1006, false);
  const net = fakeFetch({ status: 404 });
  const c = new ParleyClient({
    url: "ws://parley.test/v1/ws",
    WebSocket: ws.WebSocket,
    fetch: net.fetch,
    transports: ["websocket"],
    backoff: { minMs: 1, maxMs: 5 },
  });
  c.connect().catch(() => undefined);
  await waitUntil(() => ws.made.count >= 4, 2000, "four WebSocket attempts");
  c.disconnect();
  assert.equal(net.checks.count, 0);
});
