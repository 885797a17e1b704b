/**
 * Graceful shutdown: on SIGTERM connected clients are closed with 4000
 * (SHUTDOWN, retryable) and every acked message is there after a restart.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { CLOSE, shouldReconnect, type AckFrame } from "@parley/protocol";
import { SseClient } from "../support/sse-client.js";
import {
  UNLIMITED_RATES,
  range,
  readAllHistory,
  seqs,
  serverSuite,
  subscribe,
  uniqueRoom,
} from "../support/fixtures.js";

describe("graceful shutdown", () => {
  const suite = serverSuite({ args: UNLIMITED_RATES });
  const it = suite.it;

  it("SIGTERM: clients closed with 4000, acked messages all present after restart", async (pool) => {
    const room = uniqueRoom("shutdown");
    const subscriber = await pool.connect({ user: "sub" });
    await subscribe(subscriber, room);
    const idle = await pool.connect({ user: "idle" });
    const sse = await SseClient.connect(suite.server.httpUrl, { user: "sse" });
    const writer = await pool.connect({ user: "writer" });

    // Publishes still in flight when SIGTERM lands: each is either acked (and then kept) or fails retryably.
    const acks: AckFrame[] = [];
    const inflight = range(1, 400).map((i) =>
      writer.request({ t: "pub", room, cmid: `sd-${i}`, body: { i } }).then(
        (reply) => void (reply.t === "ack" && acks.push(reply)),
        () => undefined,
      ),
    );
    await subscriber.waitForEvents(room, 50);
    const stopping = suite.server.stop();

    for (const client of [subscriber, idle, writer]) {
      const { code } = await client.waitClosed(15_000);
      assert.equal(code, CLOSE.SHUTDOWN);
      assert.equal(shouldReconnect(code), true);
    }
    assert.equal((await sse.waitClosed(15_000)).code, CLOSE.SHUTDOWN);
    sse.destroy();
    assert.equal(await stopping, 0);
    await Promise.all(inflight);
    for (const e of writer.errors()) assert.ok(e.retryable, `non-retryable ${e.code} during shutdown`);

    await suite.server.restart();
    const reader = await pool.connect({ user: "reader" });
    const history = await readAllHistory(reader, room);
    assert.deepEqual(seqs(history), range(1, history.length));
    assert.ok(acks.length >= 50 && history.length >= acks.length);
    for (const ack of acks) assert.equal(history[ack.seq - 1]?.cmid, ack.cmid);
    // Everything the subscriber saw live was durable.
    for (const e of subscriber.events(room)) assert.equal(history[e.seq - 1]?.cmid, e.cmid);
  });

  it("a graceful stop exits 0 and the restarted server accepts connections again", async (pool) => {
    const c = await pool.connect({ user: "late" });
    const stopping = suite.server.stop();
    assert.equal((await c.waitClosed(15_000)).code, CLOSE.SHUTDOWN);
    assert.equal(await stopping, 0);
    await suite.server.restart();
    const again = await pool.connect({ user: "late" });
    assert.equal(again.connected?.user, "late");
  });
  it("an SSE client on a keep-alive connection does not hold shutdown until the grace timeout", async () => {
    const sse = await SseClient.connect(suite.server.httpUrl, { user: "sse-keepalive" });
    const started = Date.now();
    const stopping = suite.server.stop();
    assert.equal((await sse.waitClosed(15_000)).code, CLOSE.SHUTDOWN);
    assert.equal(await stopping, 0);
    // Regression: the drained stream's idle keep-alive socket used to keep the server up for half the 10 s grace.
    assert.ok(Date.now() - started < 3_000, `shutdown took ${Date.now() - started} ms`);
    sse.destroy();
    await suite.server.restart();
  });
});
