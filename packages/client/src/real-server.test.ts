// End to end against the real server process: ordering, acks, and exactly-once across kill -9.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ParleyClient } from "./node.js";
import {
  backlogDrainScenario,
  inboxDmScenario,
  concurrentPublishScenario,
  killRestartScenario,
  publishDeliverScenario,
} from "./test-support/scenarios.js";
import { ServerProcess } from "./test-support/server-process.js";

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
  await inboxDmScenario(server, client);
});
