// The fallback rule over real sockets: a server that is down (connection refused, kill -9)
// keeps clients on WebSocket; upgrades refused while HTTP to the server works move them to SSE.
import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type AddressInfo } from "node:net";
import { test } from "node:test";
import { ParleyClient } from "./node.js";
import type { FetchLike } from "./sse-transport.js";
import { waitUntil } from "./test-support/fake-server.js";
import { recordEvents } from "./test-support/scenarios.js";
import { ServerProcess } from "./test-support/server-process.js";
import { WebSocketBlockingProxy } from "./test-support/websocket-blocking-proxy.js";

/** A port nothing listens on (yet): opens to it are refused. */
async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return port;
}

/** The runtime's fetch, counting SSE stream opens. */
function countingFetch() {
  const counts = { sseOpens: 0 };
  const fetch: FetchLike = (url, init) => {
    if (new URL(url).pathname === "/v1/sse") counts.sseOpens++;
    return globalThis.fetch(url, init);
  };
  return { fetch, counts };
}

/** A Node SDK client with a fast backoff that counts its reconnect attempts. */
function client(url: string, user: string, fetch: FetchLike) {
  const c = new ParleyClient({ url, user, fetch, backoff: { minMs: 50, maxMs: 300 } });
  const attempts = { reconnects: 0 };
  c.on("state", ({ newState }) => {
    if (newState === "reconnecting") attempts.reconnects++;
  });
  return { c, attempts };
}

test("a server not up yet (connection refused): the client backs off on WebSocket and connects over it once it listens", async () => {
  const server = new ServerProcess();
  server.port = await closedPort();
  const net = countingFetch();
  const { c, attempts } = client(server.url, "ann", net.fetch);
  try {
    const connected = c.connect();
    await waitUntil(() => attempts.reconnects >= 4, 30_000, "four refused opens");
    assert.equal(net.counts.sseOpens, 0, "no SSE attempt while the server is down");
    await server.start();
    await connected;
    assert.equal(c.transport, "websocket");
    assert.equal(net.counts.sseOpens, 0);
  } finally {
    c.disconnect();
    await server.stop();
  }
});

test("kill -9 and restart: every subscriber reconnects over WebSocket and resumes; none tries SSE", async () => {
  const server = new ServerProcess();
  await server.start();
  const net = countingFetch();
  const clients = Array.from({ length: 10 }, (_, i) => client(server.url, `sub${i}`, net.fetch));
  const room = `fallback-${process.pid}-kill`;
  try {
    await Promise.all(clients.map(({ c }) => c.connect()));
    const seen = clients.map(({ c }) => recordEvents(c, room));
    await Promise.all(clients.map(({ c }) => c.room(room).subscribe()));
    await clients[0]!.c.room(room).publish("before");
    await waitUntil(() => seen.every((s) => s.length === 1), 10_000, "the first event everywhere");

    await server.kill();
    await waitUntil(
      () => clients.every(({ attempts }) => attempts.reconnects >= 4),
      30_000,
      "three refused opens each",
    );
    assert.equal(net.counts.sseOpens, 0, "no SSE attempt while the server is down");
    await server.start();

    await waitUntil(() => clients.every(({ c }) => c.state === "connected"), 30_000, "everyone back");
    assert.deepEqual(
      clients.map(({ c }) => c.transport),
      clients.map(() => "websocket"),
    );
    await clients[1]!.c.room(room).publish("after");
    await waitUntil(() => seen.every((s) => s.length === 2), 10_000, "the live event everywhere");
    assert.deepEqual(
      seen.map((s) => s.map((e) => e.body)),
      seen.map(() => ["before", "after"]),
    );
    assert.equal(net.counts.sseOpens, 0);
  } finally {
    for (const { c } of clients) c.disconnect();
    await server.stop();
  }
});

test("a proxy refusing upgrades: no fallback while the server behind it is down, SSE once HTTP through it works", async () => {
  const server = new ServerProcess();
  server.port = await closedPort();
  const proxy = await WebSocketBlockingProxy.start(() => server.port);
  const net = countingFetch();
  const { c } = client(proxy.url, "ann", net.fetch);
  try {
    const connected = c.connect();
    // The proxy refuses each upgrade and resets each HTTP request (nothing behind it): a down server.
    await waitUntil(() => proxy.refused >= 4, 30_000, "four refused upgrades");
    assert.equal(net.counts.sseOpens, 0, "no SSE attempt while the server is down");
    await server.start();
    await connected;
    assert.equal(c.transport, "sse");
    assert.equal(net.counts.sseOpens, 1);
  } finally {
    c.disconnect();
    await proxy.stop();
    await server.stop();
  }
});
