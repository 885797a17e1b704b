/**
 * Per-connection and per-user limits, each answered with its catalogued code
 * or close code, plus history paging and request/response bookkeeping.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { CLOSE, type ErrorFrame } from "@parley/protocol";
import { RawClient } from "../support/raw-client.js";
import { publish, range, seqs, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

const ARGS = [
  ["--max-connections-per-user", "2"],
  ["--max-subscriptions-per-connection", "3"],
  ["--publish-rate-per-connection", "5"],
  ["--publish-rate-per-user", "1000"],
  ["--connect-timeout-ms", "300"],
  ["--history-page-max", "20"],
  ["--allowed-origins", "https://chat.example.com"],
].flat();

function code(frame: unknown): string | undefined {
  return (frame as ErrorFrame).t === "error" ? (frame as ErrorFrame).code : undefined;
}

describe("limits", () => {
  const suite = serverSuite({ args: ARGS });
  const it = suite.it;

  it("no connect within connectTimeoutMs: close 4004", async (pool) => {
    const c = await pool.open();
    assert.equal((await c.waitClosed(5_000)).code, CLOSE.CONNECT_TIMEOUT);
  });

  it("maxConnectionsPerUser: TOO_MANY_CONNECTIONS, close 4006; a slot frees on disconnect", async (pool) => {
    const first = await pool.connect({ user: "busy" });
    await pool.connect({ user: "busy" });
    const third = await pool.open();
    const reply = await third.request({ t: "connect", versions: [1], user: "busy" });
    assert.equal(code(reply), "TOO_MANY_CONNECTIONS");
    assert.equal((reply as ErrorFrame).retryable, true);
    assert.equal((await third.waitClosed()).code, CLOSE.TOO_MANY_CONNECTIONS);
    await first.close();
    const again = await pool.connect({ user: "busy" });
    assert.equal(again.connected?.user, "busy");
  });

  it("maxSubscriptionsPerConnection, ALREADY_SUBSCRIBED, NOT_SUBSCRIBED", async (pool) => {
    const c = await pool.connect({ user: "subber" });
    const rooms = range(1, 4).map(() => uniqueRoom("lim-sub"));
    for (const room of rooms.slice(0, 3)) await subscribe(c, room);
    assert.equal(code(await c.request({ t: "sub", room: rooms[3] })), "TOO_MANY_SUBSCRIPTIONS");
    assert.equal(code(await c.request({ t: "sub", room: rooms[0] })), "ALREADY_SUBSCRIBED");
    assert.equal(code(await c.request({ t: "unsub", room: rooms[3] })), "NOT_SUBSCRIBED");
    await c.expect({ t: "unsub", room: rooms[0] }, "unsubscribed");
    await subscribe(c, rooms[3]!);
  });

  it("publish rate per connection: RATE_LIMITED beyond the burst, nothing sequenced for refused ones", async (pool) => {
    const room = uniqueRoom("lim-rate");
    const c = await pool.connect({ user: "chatty" });
    const replies = await Promise.all(range(1, 15).map((i) => c.request({ t: "pub", room, cmid: `r-${i}`, body: i })));
    const acked = replies.filter((r) => r.t === "ack");
    const limited = replies.filter((r) => code(r) === "RATE_LIMITED");
    assert.equal(acked.length, 10, "burst is 2× the rate");
    assert.equal(limited.length, 5);
    assert.deepEqual(
      seqs(acked as { seq: number }[]).sort((a, b) => a - b),
      range(1, 10),
    );
    // A fresh connection has its own bucket; the room continues at 11.
    const other = await pool.connect({ user: "calm" });
    assert.equal((await publish(other, room, "after")).seq, 11);
  });

  it("history: pages capped at historyPageMax, before/after windows, hasMore", async (pool) => {
    const room = uniqueRoom("lim-history");
    const c = await pool.connect({ user: "historian" });
    for (let i = 1; i <= 9; i++) await publish(c, room, { i }, `h-${i}`); // 5/s, burst 10: no limit hit
    const newest = await c.expect({ t: "history", room, limit: 4 }, "history");
    assert.deepEqual(seqs(newest.events), [6, 7, 8, 9]);
    assert.equal(newest.hasMore, true);
    const older = await c.expect({ t: "history", room, before: 6, limit: 4 }, "history");
    assert.deepEqual(seqs(older.events), [2, 3, 4, 5]);
    assert.equal(older.hasMore, true);
    const oldest = await c.expect({ t: "history", room, before: 2, limit: 4 }, "history");
    assert.deepEqual(seqs(oldest.events), [1]);
    assert.equal(oldest.hasMore, false);
    const window = await c.expect({ t: "history", room, after: 2, before: 6 }, "history");
    assert.deepEqual(seqs(window.events), [3, 4, 5]);
    assert.equal(window.hasMore, false);
    const capped = await c.expect({ t: "history", room, after: 0, limit: 1000 }, "history");
    assert.deepEqual(seqs(capped.events), range(1, 9));
    assert.equal(capped.hasMore, false);
    const empty = await c.expect({ t: "history", room: uniqueRoom("lim-empty") }, "history");
    assert.deepEqual(empty.events, []);
    assert.equal(empty.hasMore, false);
    assert.equal(typeof empty.epoch, "string");
  });

  it("a browser Origin outside allowedOrigins is refused at the upgrade; an allowed one connects", async () => {
    await assert.rejects(RawClient.open(suite.server.wsUrl, { origin: "https://evil.example.com" }), /HTTP 403/);
    const ok = await RawClient.open(suite.server.wsUrl, { origin: "https://chat.example.com" });
    ok.terminate();
    const sse = await fetch(`${suite.server.httpUrl}/v1/sse`, { headers: { origin: "https://evil.example.com" } });
    assert.equal(sse.status, 403);
    await sse.arrayBuffer();
  });
});
