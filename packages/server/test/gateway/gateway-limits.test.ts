import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Socket } from "node:net";
import { CLOSE } from "@parley/protocol";
import { range, startHarness, TestClient } from "../support/gateway-fixture.js";

const fast = { publishRatePerConnection: 100_000, publishRatePerUser: 100_000 };

/** Polls `check` until it holds; the test runner's timeout is the only bound (a loaded machine is slow, not wrong). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
}

/** The socket under a ws client, to stop reading from it. */
function socketOf(c: TestClient): Socket {
  return (c.ws as unknown as { _socket: Socket })._socket;
}

describe("gateway limits and liveness", () => {
  it("cuts off a consumer that stopped reading without slowing the others", async () => {
    const maxBufferedBytes = 64 * 1024;
    const h = await startHarness({ ...fast, maxBufferedBytes });
    try {
      const slow = await TestClient.connect(h.wsUrl, "slow");
      const good = await TestClient.connect(h.wsUrl, "good");
      await slow.request({ t: "sub", room: "flood" });
      await good.request({ t: "sub", room: "flood" });
      socketOf(slow).pause();
      const pubr = await TestClient.connect(h.wsUrl, "pubr");
      // Waves of half the buffer limit, each received by `good` before the next: a reader that keeps up never
      // holds more than one wave, however slow the machine, while `slow`'s backlog only grows (first in the
      // kernel's socket buffers, then in the server's) until it is cut off.
      const body = "y".repeat(8000);
      const wave = Math.floor(maxBufferedBytes / 2 / body.length);
      const cutOff = async () => (await h.metrics.bufferDrops.get()).values[0]?.value === 1;
      let sent = 0;
      while (!(await cutOff())) {
        assert.ok(sent < 10_000, "80 MB sent to a paused reader and it was never cut off");
        for (let i = 0; i < wave; i++, sent++)
          pubr.send({ t: "pub", id: sent + 1, room: "flood", cmid: `f${sent}`, body });
        assert.deepEqual(await good.events("flood", wave), range(sent - wave + 1, sent));
      }
      await until(() => h.gateway.stats().connections === 2);
      assert.equal(good.ws.readyState, good.ws.OPEN, "the reader that kept up is still connected");
      socketOf(slow).resume();
      await slow.closed;
    } finally {
      await h.close();
    }
  });

  it("relays presence join/leave per user and answers presence queries", async () => {
    const h = await startHarness();
    try {
      const a = await TestClient.connect(h.wsUrl, "alice");
      await a.request({ t: "sub", room: "lobby" });
      const b1 = await TestClient.connect(h.wsUrl, "bob");
      const b2 = await TestClient.connect(h.wsUrl, "bob");
      await b1.request({ t: "sub", room: "lobby" });
      assert.equal((await a.next((f) => f.t === "join" && f.user === "bob")).room, "lobby");
      await b2.request({ t: "sub", room: "lobby" });
      const list = await a.request({ t: "presence", room: "lobby" });
      assert.deepEqual(list.members, [
        { user: "alice", connections: 1 },
        { user: "bob", connections: 2 },
      ]);
      assert.deepEqual(h.gateway.presenceOf("lobby"), list.members);
      b1.close();
      await until(() => h.gateway.presenceOf("lobby")[1]?.connections === 1);
      assert.equal(a.frames.filter((f) => f.t === "leave").length, 0, "bob still has a connection");
      await b2.request({ t: "unsub", room: "lobby" });
      assert.equal((await a.next((f) => f.t === "leave")).user, "bob");
      const reader = await TestClient.connect(h.wsUrl, "reader2");
      assert.equal((await reader.request({ t: "presence", room: "lobby" })).code, "FORBIDDEN");
    } finally {
      await h.close();
    }
  });

  it("closes a silent connection with HEARTBEAT_TIMEOUT and it leaves presence", async () => {
    // The timeout is long beside the ping interval so that the client which answers survives a loaded machine's
    // scheduling stalls; the silent one is closed all the same.
    const h = await startHarness({ heartbeatMs: 50, heartbeatTimeoutMs: 1_000 });
    try {
      const watcher = await TestClient.connect(h.wsUrl, "watcher");
      // The watcher answers every ping, as a client does; the silent client does not.
      watcher.ws.on("message", (data) => {
        if ((JSON.parse(String(data)) as { t: string }).t === "ping") watcher.send({ t: "pong" });
      });
      await watcher.request({ t: "sub", room: "hb" });
      const silent = await TestClient.connect(h.wsUrl, "silent");
      await silent.request({ t: "sub", room: "hb" });
      await watcher.next((f) => f.t === "join" && f.user === "silent");
      assert.ok(await silent.next((f) => f.t === "ping"));
      assert.equal((await silent.closed).code, CLOSE.HEARTBEAT_TIMEOUT);
      assert.equal((await watcher.next((f) => f.t === "leave")).user, "silent");
      assert.equal(watcher.ws.readyState, watcher.ws.OPEN);
    } finally {
      await h.close();
    }
  });

  it("closes with CONNECT_TIMEOUT when no connect frame comes", async () => {
    const h = await startHarness({ connectTimeoutMs: 50 });
    try {
      const c = await TestClient.open(h.wsUrl);
      assert.equal((await c.closed).code, CLOSE.CONNECT_TIMEOUT);
    } finally {
      await h.close();
    }
  });

  it("rate-limits typing per connection and relays it to the other subscribers only", async () => {
    const h = await startHarness({ typingRatePerConnection: 1 });
    try {
      const a = await TestClient.connect(h.wsUrl, "alice");
      const b = await TestClient.connect(h.wsUrl, "bob");
      await a.request({ t: "sub", room: "typing" });
      await b.request({ t: "sub", room: "typing" });
      for (let i = 0; i < 3; i++) a.send({ t: "typing", room: "typing" });
      assert.equal((await a.next((f) => f.t === "error")).code, "RATE_LIMITED");
      await b.next((f) => f.t === "typing" && f.user === "alice");
      await b.next((f) => f.t === "typing" && f.user === "alice");
      a.send({ t: "typing", room: "elsewhere" });
      assert.equal((await a.next((f) => f.t === "error")).code, "NOT_SUBSCRIBED");
      const reader = await TestClient.connect(h.wsUrl, "reader-typing");
      await reader.request({ t: "sub", room: "typing" });
      reader.send({ t: "typing", room: "typing" });
      assert.equal((await reader.next((f) => f.t === "error")).code, "FORBIDDEN", "typing needs publish");
      assert.equal(a.frames.filter((f) => f.t === "typing").length, 0, "no echo to the sender");
    } finally {
      await h.close();
    }
  });

  it("rate-limits publishes with RATE_LIMITED", async () => {
    const h = await startHarness({ publishRatePerConnection: 1 });
    try {
      const c = await TestClient.connect(h.wsUrl, "alice");
      for (let i = 0; i < 3; i++) c.send({ t: "pub", id: i + 1, room: "rl", cmid: `r${i}`, body: i });
      assert.equal((await c.next((f) => f.id === 3)).code, "RATE_LIMITED");
      assert.equal((await c.next((f) => f.id === 2)).t, "ack");
    } finally {
      await h.close();
    }
  });

  it("closes with TOO_MANY_ERRORS past maxErrorsPerMinute", async () => {
    const h = await startHarness({ maxErrorsPerMinute: 3 });
    try {
      const c = await TestClient.connect(h.wsUrl, "alice");
      for (let i = 0; i < 4; i++) c.send("{");
      assert.equal((await c.closed).code, CLOSE.TOO_MANY_ERRORS);
    } finally {
      await h.close();
    }
  });

  it("does not count retryable refusals (RATE_LIMITED) toward maxErrorsPerMinute", async () => {
    const h = await startHarness({ publishRatePerConnection: 1, maxErrorsPerMinute: 3 });
    try {
      const c = await TestClient.connect(h.wsUrl, "alice");
      for (let i = 0; i < 10; i++) c.send({ t: "pub", id: i + 1, room: "rl2", cmid: `q${i}`, body: i });
      assert.equal((await c.next((f) => f.id === 10)).code, "RATE_LIMITED");
      await c.request({ t: "ping" });
      assert.equal(h.gateway.stats().connections, 1);
    } finally {
      await h.close();
    }
  });

  it("enforces maxConnectionsPerUser and maxSubscriptionsPerConnection", async () => {
    const h = await startHarness({ maxConnectionsPerUser: 1, maxSubscriptionsPerConnection: 1 });
    try {
      const first = await TestClient.connect(h.wsUrl, "alice");
      const second = await TestClient.open(h.wsUrl);
      second.send({ t: "connect", versions: [1], user: "alice" });
      assert.equal((await second.next((f) => f.t === "error")).code, "TOO_MANY_CONNECTIONS");
      assert.equal((await second.closed).code, CLOSE.TOO_MANY_CONNECTIONS);
      await first.request({ t: "sub", room: "one" });
      assert.equal((await first.request({ t: "sub", room: "two" })).code, "TOO_MANY_SUBSCRIPTIONS");
      assert.equal((await first.request({ t: "sub", room: "one" })).code, "ALREADY_SUBSCRIBED");
    } finally {
      await h.close();
    }
  });

  it("drains: every client is closed with SHUTDOWN", async () => {
    const h = await startHarness();
    const c = await TestClient.connect(h.wsUrl, "alice");
    await h.close();
    assert.equal((await c.closed).code, CLOSE.SHUTDOWN);
    assert.equal(h.gateway.stats().connections, 0);
  });

  it("keeps serving after a handler throws (INTERNAL, no crash)", async () => {
    const h = await startHarness();
    try {
      h.log.read = async () => {
        throw new Error("disk on fire");
      };
      const c = await TestClient.connect(h.wsUrl, "alice");
      await c.request({ t: "pub", room: "boom", cmid: "b1", body: 1 });
      const err = await c.request({ t: "history", room: "boom", after: 0 });
      assert.equal(err.code, "INTERNAL");
      assert.equal((await c.request({ t: "ping" })).t, "pong");
    } finally {
      await h.close();
    }
  });
});
