/**
 * Invariant 6: a slow consumer never slows the room. A subscriber that stops
 * reading is cut off with 4001 once its outbound buffer passes
 * --max-buffered-bytes, keeps a resumable position, and loses nothing; a fast
 * subscriber in the same room keeps receiving meanwhile.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { CLOSE } from "@parley/protocol";
import { SseClient } from "../support/sse-client.js";
import { publish, range, seqs, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

const ARGS = [
  "--max-buffered-bytes",
  "65536",
  "--publish-rate-per-connection",
  "100000",
  "--publish-rate-per-user",
  "100000",
  "--durability",
  "normal",
];

describe("slow consumer", () => {
  const suite = serverSuite({ args: ARGS });
  const it = suite.it;

  it("a paused subscriber is closed 4001, the fast one gets everything, the slow one resumes without loss", async (pool) => {
    const room = uniqueRoom("slow");
    const slow = await pool.connect({ user: "slow" });
    const fast = await pool.connect({ user: "fast" });
    const writer = await pool.connect({ user: "writer" });
    await subscribe(slow, room);
    const { epoch } = await subscribe(fast, room);

    // The server closes with 4001 and destroys the socket if the close frame cannot flush within a
    // grace period; resume reading as soon as the cut-off shows (the slow user leaves presence).
    const cutOff = fast.waitFor((f) => f.t === "leave" && f.room === room && f.user === "slow", 60_000);
    cutOff.then(() => slow.resume()).catch(() => undefined);
    slow.pause();
    // Kernel socket buffers on loopback absorb megabytes before the server's own
    // buffer grows, so publish large bodies until the fast subscriber has seen enough.
    const pad = "p".repeat(12_000);
    const total = 1500;
    for (let start = 1; start <= total; start += 100) {
      await Promise.all(range(start, start + 99).map((i) => publish(writer, room, { i, pad }, `slow-${i}`)));
    }
    const fastEvents = await fast.waitForEvents(room, total, 30_000);
    assert.deepEqual(seqs(fastEvents), range(1, total));
    assert.equal(fast.closeInfo, undefined);

    await cutOff;
    const closed = await slow.waitClosed(30_000);
    assert.equal(closed.code, CLOSE.SLOW_CONSUMER);
    const got = seqs(slow.events(room));
    assert.ok(got.length < total, `slow consumer received all ${got.length} events: it was never cut off`);
    assert.deepEqual(got, range(1, got.length), "what the slow consumer got is a gap-free prefix");

    const again = await pool.connect({ user: "slow" });
    const resumed = await subscribe(again, room, { since: got.length, epoch });
    assert.equal(resumed.recovered, true);
    const rest = await again.waitForEvents(room, total - got.length, 30_000);
    assert.deepEqual(seqs(rest), range(got.length + 1, total));
    assert.deepEqual(rest.at(-1)!.body, { i: total, pad });
  });

  it("over SSE too: a stalled stream is closed 4001 and resumes without loss", async (pool) => {
    const room = uniqueRoom("slow-sse");
    const slow = await SseClient.connect(suite.server.httpUrl, { user: "slow-sse" });
    try {
      const fast = await pool.connect({ user: "fast" });
      const writer = await pool.connect({ user: "writer" });
      await slow.request({ t: "sub", room });
      const { epoch } = await subscribe(fast, room);
      const cutOff = fast.waitFor((f) => f.t === "leave" && f.room === room && f.user === "slow-sse", 60_000);
      cutOff.then(() => slow.resume()).catch(() => undefined);
      slow.pause();
      const pad = "p".repeat(12_000);
      const total = 1500;
      for (let start = 1; start <= total; start += 100) {
        await Promise.all(range(start, start + 99).map((i) => publish(writer, room, { i, pad }, `sse-slow-${i}`)));
      }
      assert.deepEqual(seqs(await fast.waitForEvents(room, total, 30_000)), range(1, total));
      await cutOff;
      assert.equal((await slow.waitClosed(30_000)).code, CLOSE.SLOW_CONSUMER);
      const got = seqs(slow.events(room));
      assert.ok(got.length < total, `received all ${got.length} events: never cut off`);
      assert.deepEqual(got, range(1, got.length));

      const again = await pool.connect({ user: "slow-sse" });
      assert.equal((await subscribe(again, room, { since: got.length, epoch })).recovered, true);
      assert.deepEqual(seqs(await again.waitForEvents(room, total - got.length, 30_000)), range(got.length + 1, total));
    } finally {
      slow.destroy();
    }
  });
});
