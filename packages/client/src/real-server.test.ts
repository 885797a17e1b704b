// End to end against the real server process: ordering, acks, and exactly-once across kill -9.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ParleyClient } from "./node.js";
import { waitUntil } from "./test-support/fake-server.js";
import { concurrentPublishScenario, killRestartScenario, recordEvents } from "./test-support/scenarios.js";
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

const record = recordEvents;

test("publish is acked and delivered to the publisher's subscription", async () => {
  const alice = client("alice");
  await alice.connect();
  const id = uniqueRoom();
  const events = record(alice, id);
  await alice.room(id).subscribe();
  const ack = await alice.room(id).publish({ text: "hello" });
  assert.deepEqual([ack.seq, ack.dup], [1, false]);
  await waitUntil(() => events.length === 1, 5000, "own event");
  assert.equal(events[0]!.cmid, ack.cmid);
  assert.deepEqual(events[0]!.body, { text: "hello" });
});

test("two clients publishing concurrently see the same order", async () => {
  await concurrentPublishScenario(client("alice"), client("bob"), uniqueRoom(), 20);
});

test("kill -9 and restart: the client reconnects, resumes, and the outbox delivers exactly once", async () => {
  await killRestartScenario(server, client("alice"), client("bob"), uniqueRoom());
});
