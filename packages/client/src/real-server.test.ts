// End to end against the real server process: ordering, acks, and exactly-once across kill -9.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ParleyClient } from "./node.js";
import {
  backlogDrainScenario,
  concurrentPublishScenario,
  killRestartScenario,
  publishDeliverScenario,
} from "./test-support/scenarios.js";
import { ServerProcess } from "./test-support/server-process.js";
import { waitUntil } from "./test-support/fake-server.js";

const server = new ServerProcess();
const clients: ParleyClient[] = [];
let roomCounter = 0;

before(() => server.start());
after(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
});

function client(user: string): ParleyClient {
  const c = new ParleyClient({ url: server.url, user, backoff: { minMs: 50, maxMs: 300 } });
  clients.push(c);
  return c;
}

function uniqueRoom(): string {
  return `e2e-${process.pid}-${++roomCounter}`;
}

test("publish is acked and delivered to the publisher's subscription", async () => {
  const alice = client("alice");
  await alice.connect();
  assert.equal(alice.transport, "websocket");
  await publishDeliverScenario(alice, uniqueRoom());
});

test("two clients publishing concurrently see the same order", async () => {
  await concurrentPublishScenario(client("alice"), client("bob"), uniqueRoom(), 20);
});

test("kill -9 and restart: the client reconnects, resumes, and the outbox delivers exactly once", async () => {
  await killRestartScenario(server, client("alice"), client("bob"), uniqueRoom());
});

test("a backlog of 300 after kill -9 drains at the announced rate: no RATE_LIMITED, each room in publish order", async (t) => {
  const rooms = [uniqueRoom(), uniqueRoom(), uniqueRoom()];
  const drain = await backlogDrainScenario(server, client("carol"), rooms, 300);
  t.diagnostic(
    `RATE_LIMITED refusals: ${drain.rateLimited}; publishes sequenced before an earlier one: ${drain.overtakes.length}`,
  );
  assert.deepEqual(drain.overtakes, []);
  assert.equal(drain.rateLimited, 0);
});

test("inbox: a DM opened by one user appears in the other's inbox, and its counts follow messages and receipts", async () => {
  const [ann, bob] = [`ann-${process.pid}`, `bob-${process.pid}`];
  const b = client(bob);
  await b.connect();
  b.inbox.open();
  await waitUntil(() => b.inbox.ready);
  const started = Date.now();
  const res = await fetch(`${httpUrl()}/v1/dms`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-user": ann },
    body: JSON.stringify({ user: bob }),
  });
  assert.equal(res.status, 201);
  const dm = ((await res.json()) as { id: string }).id;
  await waitUntil(() => b.inbox.rooms.has(dm));
  assert.ok(Date.now() - started < 1000, "within 1 s");
  const a = client(ann);
  await a.connect();
  await a.room(dm).publish({ text: `hi @${bob}` });
  await waitUntil(() => b.inbox.rooms.get(dm)?.mentions === 1);
  assert.equal(b.inbox.rooms.get(dm)?.unread, 1);
  b.room(dm).markRead(b.inbox.rooms.get(dm)?.lastSeq ?? 0);
  await waitUntil(() => b.inbox.rooms.get(dm)?.unread === 0);
});

function httpUrl(): string {
  return `http://127.0.0.1:${server.port}`;
}
