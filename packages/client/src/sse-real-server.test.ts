// End to end over SSE + POST against the real server process: ordering, resume,
// exactly-once across kill -9, and the fallback from a refused WebSocket upgrade.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ParleyClient } from "./node.js";
import type { ParleyClientOptions } from "./options.js";
import { waitUntil } from "./test-support/fake-server.js";
import {
  backlogDrainScenario,
  inboxDmScenario,
  concurrentPublishScenario,
  killRestartScenario,
  publishDeliverScenario,
  recordEvents,
} from "./test-support/scenarios.js";
import { ServerProcess } from "./test-support/server-process.js";
import { WebSocketBlockingProxy } from "./test-support/websocket-blocking-proxy.js";

const server = new ServerProcess();
let proxy: WebSocketBlockingProxy;
const clients: ParleyClient[] = [];
let rooms = 0;

before(async () => {
  await server.start();
  proxy = await WebSocketBlockingProxy.start(() => server.port);
});
after(async () => {
  for (const c of clients) c.disconnect();
  await proxy.stop();
  await server.stop();
});

function client(user: string, options: Partial<ParleyClientOptions> = {}): ParleyClient {
  const c = new ParleyClient({ url: server.url, user, backoff: { minMs: 50, maxMs: 300 }, ...options });
  clients.push(c);
  return c;
}

const sse = (user: string) => client(user, { transports: ["sse"] });
const uniqueRoom = () => `sse-${process.pid}-${++rooms}`;

const record = recordEvents;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test("transports: [sse]: publish is acked and delivered, the session reports sse", async () => {
  const alice = sse("alice");
  await alice.connect();
  assert.equal(alice.transport, "sse");
  await publishDeliverScenario(alice, uniqueRoom());
});

test("sse and websocket clients publishing concurrently see the same order", async () => {
  const [alice, bob] = [sse("alice"), client("bob")];
  await Promise.all([alice.connect(), bob.connect()]);
  assert.deepEqual([alice.transport, bob.transport], ["sse", "websocket"]);
  const n = 30;
  const seenA = await concurrentPublishScenario(alice, bob, uniqueRoom(), n);
  // One POST in flight at a time, so one client's publishes keep their order.
  const aliceBodies = seenA.map((e) => e.body).filter((b) => String(b).startsWith("a"));
  assert.deepEqual(
    aliceBodies,
    range(0, n - 1).map((i) => `a${i}`),
  );
});

test("sse: a client away while others publish resumes with exactly the missed events", async () => {
  const [alice, bob] = [sse("alice"), client("bob")];
  await Promise.all([alice.connect(), bob.connect()]);
  const id = uniqueRoom();
  const seen = record(alice, id);
  await alice.room(id).subscribe();
  await bob.room(id).publish("m1");
  await waitUntil(() => seen.length === 1, 5000, "first event");
  alice.disconnect();
  for (const body of ["m2", "m3", "m4"]) await bob.room(id).publish(body);
  await alice.connect();
  await bob.room(id).publish("m5");
  await waitUntil(() => seen.length === 5, 10_000, "missed and live events");
  assert.deepEqual(
    seen.map((e) => [e.seq, e.body]),
    [
      [1, "m1"],
      [2, "m2"],
      [3, "m3"],
      [4, "m4"],
      [5, "m5"],
    ],
  );
});

test("WebSocket upgrades refused by a proxy: the client falls back to SSE and gets every message in order", async () => {
  proxy.blockUpgrades = true;
  const refusedBefore = proxy.refused;
  const alice = client("alice", { url: proxy.url });
  const bob = client("bob");
  await Promise.all([alice.connect(), bob.connect()]);
  assert.equal(alice.transport, "sse");
  assert.equal(proxy.refused - refusedBefore, 2, "two refused upgrades before falling back");
  const id = uniqueRoom();
  const seen = record(alice, id);
  await alice.room(id).subscribe();
  const n = 40;
  const acks = await Promise.all(range(1, n).map((i) => bob.room(id).publish(`b${i}`)));
  const own = await alice.room(id).publish("from-alice");
  await waitUntil(() => seen.length === n + 1, 10_000, "all events over sse");
  assert.deepEqual(
    seen.map((e) => e.seq),
    range(1, n + 1),
  );
  assert.deepEqual(
    seen.map((e) => e.body),
    [...range(1, n).map((i) => `b${i}`), "from-alice"],
  );
  assert.deepEqual([acks.at(-1)!.seq, own.seq], [n, n + 1]);
});

test("after falling back, a reconnect past probeAfterMs probes WebSocket again and keeps it once it works", async () => {
  proxy.blockUpgrades = true;
  const alice = client("alice", { url: proxy.url, transportFallback: { probeAfterMs: 200 } });
  await alice.connect();
  assert.equal(alice.transport, "sse");
  const id = uniqueRoom();
  const seen = record(alice, id);
  await alice.room(id).subscribe();
  await alice.room(id).publish("on-sse");

  await new Promise((resolve) => setTimeout(resolve, 250));
  proxy.blockUpgrades = false;
  proxy.dropAll();
  await waitUntil(() => alice.state === "connected" && alice.transport === "websocket", 10_000, "back on websocket");
  await alice.room(id).publish("on-websocket");
  await waitUntil(() => seen.length === 2, 5000, "both events");
  assert.deepEqual(
    seen.map((e) => [e.seq, e.body]),
    [
      [1, "on-sse"],
      [2, "on-websocket"],
    ],
  );
  proxy.blockUpgrades = true;
});

test("kill -9 and restart while on SSE: reconnect, resume, and the outbox delivers exactly once", async () => {
  const [alice, bob] = [sse("alice"), sse("bob")];
  await killRestartScenario(server, alice, bob, uniqueRoom());
  assert.deepEqual([alice.transport, bob.transport], ["sse", "sse"]);
});

test("sse: a backlog of 300 after kill -9 drains at the announced rate, each room in publish order", async () => {
  const drain = await backlogDrainScenario(server, sse("erin"), [uniqueRoom(), uniqueRoom(), uniqueRoom()], 300);
  assert.deepEqual(drain.overtakes, []);
  assert.equal(drain.rateLimited, 0);
});

test("transports: [sse]: the inbox works the same (a DM within 1 s, counts, a receipt)", async () => {
  await inboxDmScenario(server, sse);
});
