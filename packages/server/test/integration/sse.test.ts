/**
 * The SSE + POST fallback speaks the same frames as WebSocket: connect,
 * subscribe, publish, receive live events (also from WebSocket publishers),
 * and resume with `since`.
 */
import { after, describe } from "node:test";
import assert from "node:assert/strict";
import { CLOSE, type ErrorFrame } from "@parley/protocol";
import { SseClient } from "../support/sse-client.js";
import { publish, range, seqs, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

describe("SSE + POST fallback", () => {
  const streams: SseClient[] = [];
  // Registered before the suite's own `after`, so the streams close before the server stops.
  after(() => {
    for (const s of streams) s.destroy();
  });
  const suite = serverSuite({ args: ["--heartbeat-ms", "200", "--heartbeat-timeout-ms", "800"] });
  const it = suite.it;
  const sse = async (user: string): Promise<SseClient> => {
    const client = await SseClient.connect(suite.server.httpUrl, { user });
    streams.push(client);
    return client;
  };

  it("connect, subscribe, publish and receive, interoperating with WebSocket clients", async (pool) => {
    const room = uniqueRoom("sse");
    const s = await sse("sse-user");
    assert.equal(s.frames[0]?.t, "connected");
    const subscribed = await s.request({ t: "sub", room });
    assert.equal(subscribed.t, "subscribed");

    const ws = await pool.connect({ user: "ws-user" });
    await subscribe(ws, room);
    const ack = await s.request({ t: "pub", room, cmid: "sse-1", body: { via: "sse" } });
    assert.deepEqual(
      { ...ack, ts: 0 },
      { t: "ack", id: (ack as { id: number }).id, room, cmid: "sse-1", seq: 1, ts: 0, dup: false },
    );
    await publish(ws, room, { via: "ws" }, "ws-1");

    const sseEvents = await s.waitForEvents(room, 2);
    const wsEvents = await ws.waitForEvents(room, 2);
    assert.deepEqual(sseEvents, wsEvents);
    assert.deepEqual(
      sseEvents.map((e) => [e.seq, e.from, e.body]),
      [
        [1, "sse-user", { via: "sse" }],
        [2, "ws-user", { via: "ws" }],
      ],
    );
    const dup = await s.request({ t: "pub", room, cmid: "sse-1", body: { via: "sse" } });
    assert.equal(dup.t, "ack");
    assert.equal((dup as { dup: boolean }).dup, true);
  });

  it("a batch of frames in one POST is handled in order", async () => {
    const room = uniqueRoom("sse-batch");
    const s = await sse("batcher");
    const status = await s.post([
      { t: "sub", id: 100, room },
      { t: "pub", id: 101, room, cmid: "b-1", body: 1 },
      { t: "pub", id: 102, room, cmid: "b-2", body: 2 },
    ]);
    assert.equal(status, 204);
    const events = await s.waitForEvents(room, 2);
    assert.deepEqual(seqs(events), [1, 2]);
    assert.equal((await s.waitFor((f) => f.t === "ack" && f.id === 102)).t, "ack");
  });

  it("resume over SSE with since", async (pool) => {
    const room = uniqueRoom("sse-resume");
    const ws = await pool.connect({ user: "writer" });
    for (let i = 1; i <= 10; i++) await publish(ws, room, { i }, `r-${i}`);
    const s = await sse("resumer");
    const subscribed = await s.request({ t: "sub", room, since: 4 });
    assert.equal(subscribed.t, "subscribed");
    assert.equal((subscribed as { recovered: boolean }).recovered, true);
    await publish(ws, room, { i: 11 }, "r-11");
    const events = await s.waitForEvents(room, 7);
    assert.deepEqual(seqs(events), range(5, 11));
  });

  it("bad frames over POST get the same error codes", async () => {
    const s = await sse("mallory");
    assert.equal(await s.post("{nope"), 400);
    assert.equal(((await s.waitFor((f) => f.t === "error")) as ErrorFrame).code, "BAD_JSON");
    const unknown = await s.request({ t: "teleport" });
    assert.equal((unknown as ErrorFrame).code, "UNKNOWN_FRAME");
  });

  it("an oversize POST: HTTP 413 and FRAME_TOO_LARGE on the stream", async () => {
    const s = await sse("big");
    const status = await s.post({ t: "pub", id: 9, room: "r", cmid: "c", body: "x".repeat(70_000) });
    assert.equal(status, 413);
    const error = (await s.waitFor((f) => f.t === "error")) as ErrorFrame;
    assert.equal(error.code, "FRAME_TOO_LARGE");
    assert.equal((await s.request({ t: "ping" })).t, "pong");
  });

  it("a silent SSE client is closed 4002 and leaves presence; its session is then gone (404)", async (pool) => {
    const room = uniqueRoom("sse-silent");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const s = await sse("quiet");
    await s.request({ t: "sub", room });
    await watcher.waitFor((f) => f.t === "join" && f.room === room && f.user === "quiet");
    s.autoPong = false;
    assert.equal((await s.waitClosed(5_000)).code, CLOSE.HEARTBEAT_TIMEOUT);
    await watcher.waitFor((f) => f.t === "leave" && f.room === room && f.user === "quiet");
    assert.equal(await s.post({ t: "ping" }), 404);
  });

  it("POST to an unknown session is refused", async () => {
    const res = await fetch(`${suite.server.httpUrl}/v1/sse/00000000-0000-4000-8000-000000000000`, {
      method: "POST",
      body: JSON.stringify({ t: "ping" }),
    });
    assert.equal(res.status, 404);
  });
});
