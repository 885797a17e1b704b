/**
 * Presence: join/leave follow sub/unsub/disconnect, and a silently dead
 * connection (socket paused: no pongs) leaves within the heartbeat timeout.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { PresenceListFrame } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import { serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

const HEARTBEAT_MS = 200;
const HEARTBEAT_TIMEOUT_MS = 800;

function members(list: PresenceListFrame): string[] {
  return list.members.map((m) => m.user).sort();
}

function presence(client: RawClient, room: string): Promise<PresenceListFrame> {
  return client.expect({ t: "presence", room }, "presence");
}

function nthOf(client: RawClient, t: "join" | "leave", room: string, user: string): number {
  return client.frames.filter((f) => f.t === t && f.room === room && f.user === user).length;
}

describe("presence", () => {
  const suite = serverSuite({
    args: ["--heartbeat-ms", String(HEARTBEAT_MS), "--heartbeat-timeout-ms", String(HEARTBEAT_TIMEOUT_MS)],
  });
  const it = suite.it;

  it("join on subscribe, leave on unsubscribe and on disconnect", async (pool) => {
    const room = uniqueRoom("presence");
    const alice = await pool.connect({ user: "alice" });
    await subscribe(alice, room);
    await alice.waitFor((f) => f.t === "join" && f.room === room && f.user === "alice");
    assert.deepEqual(members(await presence(alice, room)), ["alice"]);

    const bob = await pool.connect({ user: "bob" });
    await subscribe(bob, room);
    await alice.waitFor((f) => f.t === "join" && f.room === room && f.user === "bob");
    assert.deepEqual(members(await presence(alice, room)), ["alice", "bob"]);

    await bob.expect({ t: "unsub", room }, "unsubscribed");
    await alice.waitFor((f) => f.t === "leave" && f.room === room && f.user === "bob");
    assert.deepEqual(members(await presence(alice, room)), ["alice"]);

    const carol = await pool.connect({ user: "carol" });
    await subscribe(carol, room);
    await alice.waitFor((f) => f.t === "join" && f.room === room && f.user === "carol");
    await carol.close();
    await alice.waitFor((f) => f.t === "leave" && f.room === room && f.user === "carol");
    assert.deepEqual(members(await presence(alice, room)), ["alice"]);
  });

  it("a user with two connections is one member with connections: 2, and leaves only with the last", async (pool) => {
    const room = uniqueRoom("presence-multi");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const d1 = await pool.connect({ user: "dave" });
    const d2 = await pool.connect({ user: "dave" });
    await subscribe(d1, room);
    await subscribe(d2, room);
    const list = await presence(watcher, room);
    assert.deepEqual(
      list.members.find((m) => m.user === "dave"),
      { user: "dave", connections: 2 },
    );
    d1.terminate();
    const after1 = await waitForPresence(watcher, room, (l) =>
      l.members.some((m) => m.user === "dave" && m.connections === 1),
    );
    assert.deepEqual(members(after1), ["dave", "watcher"]);
    assert.equal(nthOf(watcher, "leave", room, "dave"), 0);
    assert.equal(nthOf(watcher, "join", room, "dave"), 1);
    await d2.close();
    await watcher.waitFor((f) => f.t === "leave" && f.room === room && f.user === "dave");
    assert.deepEqual(members(await presence(watcher, room)), ["watcher"]);
  });

  it("a silently dead connection leaves within the heartbeat timeout", async (pool) => {
    const room = uniqueRoom("presence-dead");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const ghost = await pool.connect({ user: "ghost" });
    await subscribe(ghost, room);
    await watcher.waitFor((f) => f.t === "join" && f.room === room && f.user === "ghost");

    const pausedAt = Date.now();
    ghost.pause(); // no reads: neither protocol pongs nor ws pongs go out
    await watcher.waitFor((f) => f.t === "leave" && f.room === room && f.user === "ghost", 10_000);
    const elapsed = Date.now() - pausedAt;
    // Timeout after the last pong, plus one heartbeat of detection slack and scheduling jitter.
    assert.ok(elapsed <= HEARTBEAT_TIMEOUT_MS + 2 * HEARTBEAT_MS + 500, `left after ${elapsed} ms`);
    assert.ok(elapsed >= HEARTBEAT_TIMEOUT_MS - HEARTBEAT_MS - 100, `left too early, after ${elapsed} ms`);
    assert.deepEqual(members(await presence(watcher, room)), ["watcher"]);
    // The watcher itself answered pings all along and is still connected.
    assert.equal(watcher.closeInfo, undefined);
  });
});

/** Polls the presence list until `pred` holds (leave/join frames say nothing about connection counts). */
async function waitForPresence(
  client: RawClient,
  room: string,
  pred: (list: PresenceListFrame) => boolean,
  timeoutMs = 5_000,
): Promise<PresenceListFrame> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const list = await presence(client, room);
    if (pred(list)) return list;
    if (Date.now() > deadline) throw new Error(`presence never matched: ${JSON.stringify(list)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
