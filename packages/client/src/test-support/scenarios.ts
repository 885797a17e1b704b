// End-to-end scenarios shared by the WebSocket and SSE tests against the real server.
import assert from "node:assert/strict";
import type { RoomEvent } from "@parley/protocol";
import type { ParleyClient } from "../client.js";
import { waitUntil } from "./fake-server.js";
import type { ServerProcess } from "./server-process.js";

/** Collects every event `c` delivers for `room`, in delivery order. */
export function recordEvents(c: ParleyClient, room: string): RoomEvent[] {
  const events: RoomEvent[] = [];
  c.room(room).on("event", (e) => events.push(e));
  return events;
}

/** `c` (connected) subscribes and publishes once: seq 1, not a duplicate, and its own subscription gets it. */
export async function publishDeliverScenario(c: ParleyClient, room: string): Promise<void> {
  const events = recordEvents(c, room);
  await c.room(room).subscribe();
  const ack = await c.room(room).publish({ text: "hello" });
  assert.deepEqual([ack.seq, ack.dup], [1, false]);
  await waitUntil(() => events.length === 1, 5000, "own event");
  assert.equal(events[0]!.cmid, ack.cmid);
  assert.deepEqual(events[0]!.body, { text: "hello" });
}

/**
 * alice and bob publish `n` messages each, all at once; both must see the same
 * order, seqs 1…2n, every ack a distinct seq. Returns what alice saw.
 */
export async function concurrentPublishScenario(alice: ParleyClient, bob: ParleyClient, room: string, n: number) {
  await Promise.all([alice.connect(), bob.connect()]);
  const [seenA, seenB] = [recordEvents(alice, room), recordEvents(bob, room)];
  await Promise.all([alice.room(room).subscribe(), bob.room(room).subscribe()]);
  const acks = await Promise.all(
    Array.from({ length: n }, (_, i) => [alice.room(room).publish(`a${i}`), bob.room(room).publish(`b${i}`)]).flat(),
  );
  await waitUntil(() => seenA.length === 2 * n && seenB.length === 2 * n, 10_000, "all events");
  assert.deepEqual(
    seenA.map((e) => e.cmid),
    seenB.map((e) => e.cmid),
  );
  assert.deepEqual(
    seenA.map((e) => e.seq),
    Array.from({ length: 2 * n }, (_, i) => i + 1),
  );
  assert.equal(new Set(acks.map((a) => a.seq)).size, 2 * n);
  return seenA;
}

/**
 * Publishes before, during (in flight) and after a kill -9 of `server`, restarts
 * it, and asserts that alice's subscription to `room` then holds every message
 * exactly once and in order, with the outbox empty.
 */
export async function killRestartScenario(server: ServerProcess, alice: ParleyClient, bob: ParleyClient, room: string) {
  await Promise.all([alice.connect(), bob.connect()]);
  const seen = recordEvents(alice, room);
  await alice.room(room).subscribe();
  await alice.room(room).publish("before-1");
  await alice.room(room).publish("before-2");
  await waitUntil(() => seen.length === 2, 5000, "first events");

  // In flight at the moment of the crash: stored or not, it must end up exactly once.
  const inFlight = alice.room(room).publish("in-flight");
  await server.kill();
  await waitUntil(() => alice.state === "reconnecting" || alice.state === "connecting", 5000, "alice notices");
  const offline = [alice.room(room).publish("offline-1"), alice.room(room).publish("offline-2")];
  await server.start();

  const acks = await Promise.all([inFlight, ...offline]);
  await waitUntil(() => bob.state === "connected", 10_000, "bob back");
  await bob.room(room).publish("after-restart");
  await waitUntil(() => seen.length === 6, 10_000, "all six events");

  const bodies = seen.map((e) => e.body);
  assert.deepEqual(bodies, ["before-1", "before-2", "in-flight", "offline-1", "offline-2", "after-restart"]);
  assert.deepEqual(
    seen.map((e) => e.seq),
    [1, 2, 3, 4, 5, 6],
  );
  assert.deepEqual(
    acks.map((a) => a.seq),
    [3, 4, 5],
  );
  const history = await alice.room(room).history({ after: 0, limit: 100 });
  assert.deepEqual(
    history.events.map((e) => e.body),
    bodies,
  );
  assert.equal(alice.pendingMessages, 0);
}

/** How a backlog drained: refusals the server counted, and publishes sequenced before an earlier one of their room. */
export interface BacklogDrain {
  rateLimited: number;
  overtakes: string[];
}

/**
 * `n` messages published over `rooms` while `server` is down (kill -9), then
 * a restart: the outbox drains the backlog against the server's default
 * publish limit. Every message is acked; returns the RATE_LIMITED refusals
 * counted by the restarted server and every message that was sequenced
 * before one published earlier to its room.
 */
export async function backlogDrainScenario(
  server: ServerProcess,
  alice: ParleyClient,
  rooms: readonly string[],
  n: number,
): Promise<BacklogDrain> {
  await alice.connect();
  await server.kill();
  await waitUntil(() => alice.state !== "connected", 5000, "alice notices the crash");
  const published = Array.from({ length: n }, (_, i) => {
    const room = rooms[i % rooms.length]!;
    return alice.room(room).publish({ n: i });
  });
  await server.start();
  const acks = await Promise.all(published);
  const last = new Map<string, { seq: number; cmid: string }>();
  const overtakes: string[] = [];
  for (const ack of acks) {
    const before = last.get(ack.room);
    if (before && ack.seq < before.seq) overtakes.push(`${ack.cmid}@${ack.seq} before ${before.cmid}@${before.seq}`);
    if (!before || ack.seq > before.seq) last.set(ack.room, ack);
  }
  return { rateLimited: await rateLimitedCount(server), overtakes };
}

/** `parley_publishes_total{outcome="rate_limited"}` of the running server. */
async function rateLimitedCount(server: ServerProcess): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${server.port}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('parley_publishes_total{outcome="rate_limited"}'));
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/**
 * `ann` opens a DM with `bob` over REST: it is in bob's inbox within 1 s; ann's mention counts as
 * unread and mention for bob, and bob's receipt clears them. `client` makes a dev-mode client of a user.
 */
export async function inboxDmScenario(server: ServerProcess, client: (user: string) => ParleyClient): Promise<void> {
  const [annId, bobId] = [`ann-${process.pid}`, `bob-${process.pid}`];
  const bob = client(bobId);
  await bob.connect();
  bob.inbox.open();
  await waitUntil(() => bob.inbox.ready);
  const started = Date.now();
  const res = await fetch(`http://127.0.0.1:${server.port}/v1/dms`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-user": annId },
    body: JSON.stringify({ user: bobId }),
  });
  assert.equal(res.status, 201);
  const dm = ((await res.json()) as { id: string }).id;
  await waitUntil(() => bob.inbox.rooms.has(dm), 5000, "the DM in bob's inbox");
  assert.ok(Date.now() - started < 1000, `the DM reached the inbox after ${Date.now() - started} ms`);
  const ann = client(annId);
  await ann.connect();
  await ann.room(dm).publish({ text: `hi @${bobId}` });
  await waitUntil(() => bob.inbox.rooms.get(dm)?.mentions === 1, 5000, "the mention");
  assert.equal(bob.inbox.rooms.get(dm)?.unread, 1);
  bob.room(dm).markRead(bob.inbox.rooms.get(dm)?.lastSeq ?? 0);
  await waitUntil(() => bob.inbox.rooms.get(dm)?.unread === 0, 5000, "the receipt");
}
