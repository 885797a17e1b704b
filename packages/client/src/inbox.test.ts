import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import type { InboxRoom } from "@parley/protocol";
import type { InboxUpdate } from "./inbox.js";
import { ParleyClient } from "./node.js";
import { FakeServer, waitUntil } from "./test-support/fake-server.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const room = (id: string, over: Partial<InboxRoom> = {}): InboxRoom => ({
  id,
  type: "public",
  name: id,
  lastSeq: 0,
  lastReadSeq: 0,
  unread: 0,
  mentions: 0,
  ...over,
});

async function setup() {
  const server = await FakeServer.start();
  cleanups.push(() => server.close());
  const client = new ParleyClient({ url: server.url, user: "bob", backoff: { minMs: 20, maxMs: 50 } });
  cleanups.push(() => client.disconnect());
  const updates: InboxUpdate[] = [];
  client.inbox.on("update", (u) => updates.push(u));
  return { server, client, updates };
}

test("the inbox opens with a snapshot and applies the server's pushes", async () => {
  const { server, client, updates } = await setup();
  server.inboxRooms = [room("general", { lastSeq: 5, unread: 2 })];
  client.inbox.open(); // before connecting: sent on connect
  await client.connect();
  await waitUntil(() => client.inbox.ready);
  assert.deepEqual([...client.inbox.rooms.keys()], ["general"]);
  const dm = room("dm:amy:bob", { type: "dm", name: "", lastSeq: 1, unread: 1 });
  server.inject({ t: "inbox.room", change: "dm", seq: 1, room: dm });
  server.inject({ t: "inbox.gone", change: "removed", seq: 6, room: "general" });
  server.inject({ t: "inbox.gone", change: "left", seq: 7, room: "never-there" }); // nothing to remove: no update
  await waitUntil(() => updates.length === 3);
  assert.deepEqual(
    updates.map((u) => [u.type, u.type === "snapshot" ? u.rooms.length : u.change]),
    [
      ["snapshot", 1],
      ["room", "dm"],
      ["gone", "removed"],
    ],
  );
  assert.deepEqual([...client.inbox.rooms.values()], [dm]);
  assert.equal(server.framesOf("inbox").length, 1);
});

test("after a reconnect the inbox asks again and replaces its rooms with the fresh snapshot", async () => {
  const { server, client, updates } = await setup();
  server.inboxRooms = [room("a", { unread: 1 })];
  await client.connect();
  client.inbox.open();
  client.inbox.open(); // idempotent
  await waitUntil(() => client.inbox.ready);
  server.inboxRooms = [room("b", { unread: 3, mentions: 1 })];
  server.dropAll();
  await waitUntil(() => client.inbox.rooms.has("b"));
  assert.deepEqual([...client.inbox.rooms.keys()], ["b"]);
  assert.equal(server.framesOf("inbox").length, 2);
  assert.deepEqual(
    updates.map((u) => u.type),
    ["snapshot", "snapshot"],
  );
});

test("the read position of a snapshot or a push reaches the room handle", async () => {
  const { server, client } = await setup();
  server.inboxRooms = [room("general", { lastSeq: 9, lastReadSeq: 7 })];
  const general = client.room("general");
  await client.connect();
  client.inbox.open();
  await waitUntil(() => client.inbox.ready);
  assert.equal(general.readPosition, 7);
  server.inject({ t: "inbox.room", change: "read", seq: 10, room: room("general", { lastSeq: 10, lastReadSeq: 9 }) });
  await waitUntil(() => general.readPosition === 9);
});

test("a snapshot the server sends unasked (after it lost track) replaces the rooms", async () => {
  const { server, client, updates } = await setup();
  server.inboxRooms = [room("a", { unread: 1 })];
  await client.connect();
  client.inbox.open();
  await waitUntil(() => client.inbox.ready);
  server.inject({ t: "inbox", id: 1, rooms: [room("b", { unread: 2 })] });
  await waitUntil(() => client.inbox.rooms.has("b"));
  assert.deepEqual([...client.inbox.rooms.keys()], ["b"]);
  assert.deepEqual(
    updates.map((u) => u.type),
    ["snapshot", "snapshot"],
  );
});
