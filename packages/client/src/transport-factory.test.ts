import assert from "node:assert/strict";
import { test } from "node:test";
import { deriveCheckUrl, deriveSseUrl, resolveTransportOptions } from "./transport-factory.js";
import type { WebSocketConstructor } from "./transport.js";

const FakeWebSocket = class {} as unknown as WebSocketConstructor;
const fakeFetch = () => Promise.reject(new Error("unused"));
const url = "ws://localhost:8080/v1/ws";

test("defaults: WebSocket first, SSE as fallback, the stream URL derived from url", () => {
  const r = resolveTransportOptions({ url, WebSocket: FakeWebSocket, fetch: fakeFetch });
  assert.deepEqual(r.transports, ["websocket", "sse"]);
  assert.equal(r.sseUrl, "http://localhost:8080/v1/sse");
  assert.equal(r.checkUrl, "http://localhost:8080/v1/ws");
  assert.deepEqual(r.transportFallback, { failures: 2, probeAfterMs: 60_000 });
});

test("a transport this runtime cannot use is left out; none left is an error", () => {
  const global = globalThis as { WebSocket?: unknown };
  const saved = global.WebSocket;
  delete global.WebSocket; // Node 22 has a global WebSocket; this case is a runtime without one.
  try {
    assert.deepEqual(resolveTransportOptions({ url, fetch: fakeFetch }).transports, ["sse"]);
  } finally {
    if (saved !== undefined) global.WebSocket = saved;
  }
  const noSseUrl = resolveTransportOptions({ url: "ws://127.0.0.1:9000", WebSocket: FakeWebSocket, fetch: fakeFetch });
  assert.deepEqual(noSseUrl.transports, ["websocket"]);
  assert.throws(
    () => resolveTransportOptions({ url: "ws://127.0.0.1:9000", WebSocket: FakeWebSocket, transports: ["sse"] }),
    /no usable transport among sse/,
  );
});

test("explicit choices win: order, sseUrl, fallback settings; an unknown transport is refused", () => {
  const r = resolveTransportOptions({
    url: "ws://127.0.0.1:9000",
    WebSocket: FakeWebSocket,
    fetch: fakeFetch,
    transports: ["sse", "websocket"],
    sseUrl: "http://127.0.0.1:9000/custom/sse",
    transportFallback: { probeAfterMs: 5 },
  });
  assert.deepEqual(r.transports, ["sse", "websocket"]);
  assert.equal(r.sseUrl, "http://127.0.0.1:9000/custom/sse");
  assert.deepEqual(r.transportFallback, { failures: 2, probeAfterMs: 5 });
  assert.throws(
    () => resolveTransportOptions({ url, WebSocket: FakeWebSocket, transports: ["polling" as "sse"] }),
    /unknown transport "polling"/,
  );
});

test("the SSE and HTTP-check URLs are the same server over http(s), without credentials or fragment", () => {
  const url = "wss://u:p@chat.example/prefix/v1/ws?tenant=a#x";
  assert.equal(deriveSseUrl(url), "https://chat.example/prefix/v1/sse?tenant=a");
  assert.equal(deriveCheckUrl(url), "https://chat.example/prefix/v1/ws?tenant=a");
  assert.equal(deriveCheckUrl("ws://127.0.0.1:9000"), "http://127.0.0.1:9000/");
  assert.equal(deriveSseUrl("ws://127.0.0.1:9000"), undefined);
  assert.equal(deriveCheckUrl("not a url"), undefined);
});
