import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { CLOSE, type RoomEvent } from "@parley/protocol";
import type { StateChange } from "./connection-state.js";
import { ConnectionClosedError } from "./errors.js";
import { ParleyClient } from "./node.js";
import type { ParleyClientOptions } from "./options.js";
import { FakeServer, waitUntil } from "./test-support/fake-server.js";

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(serverOptions = {}, clientOptions: Partial<ParleyClientOptions> = {}) {
  const server = await FakeServer.start(serverOptions);
  cleanups.push(() => server.close());
  const client = new ParleyClient({
    url: server.url,
    user: "alice",
    backoff: { minMs: 20, maxMs: 50 },
    ...clientOptions,
  });
  cleanups.push(() => client.disconnect());
  const states: StateChange[] = [];
  client.on("state", (s) => states.push(s));
  return { server, client, states };
}

function collect(room: { on(name: "event", fn: (e: RoomEvent) => void): unknown }): number[] {
  const seqs: number[] = [];
  room.on("event", (e) => seqs.push(e.seq));
  return seqs;
}

test("connects, subscribes, publishes and receives its own event once", async () => {
  const { server, client, states } = await setup();
  const session = await client.connect();
  assert.equal(session.user, "alice");
  const room = client.room("general");
  const seqs = collect(room);
  const info = await room.subscribe();
  assert.deepEqual([info.lastSeq, info.recovered, info.resumed], [0, true, false]);
  const ack = await room.publish({ text: "hi" });
  assert.deepEqual([ack.seq, ack.dup], [1, false]);
  await waitUntil(() => seqs.length === 1);
  assert.equal(room.lastSeq, 1);
  assert.deepEqual(server.framesOf("connect")[0]?.versions, [1]);
  assert.deepEqual(
    states.map((s) => s.newState),
    ["connecting", "connected"],
  );
});

test("reconnects with backoff after a drop and re-subscribes with since=lastSeq and epoch", async () => {
  // A fixed ~100 ms backoff leaves a window in which the client is certainly away.
  const { server, client, states } = await setup({}, { backoff: { minMs: 100, maxMs: 100 }, random: () => 0.99 });
  await client.connect();
  const room = client.room("r1");
  const seqs = collect(room);
  const subscribed: boolean[] = [];
  room.on("subscribed", (i) => subscribed.push(i.recovered));
  await room.subscribe();
  server.publish("r1", "a");
  server.publish("r1", "b");
  await waitUntil(() => seqs.length === 2);
  server.dropAll();
  await waitUntil(() => states.some((s) => s.newState === "reconnecting"), 2000, "reconnecting");
  // Published while the client is away: must arrive by replay, exactly once.
  server.publish("r1", "c");
  server.publish("r1", "d");
  await waitUntil(() => seqs.length === 4, 3000, "replay");
  const subs = server.framesOf("sub");
  assert.deepEqual(subs[1], { t: "sub", id: subs[1]!.id, room: "r1", since: 2, epoch: "e1" });
  assert.deepEqual(seqs, [1, 2, 3, 4]);
  assert.deepEqual(subscribed, [true, true]);
  assert.ok(states.some((s) => s.oldState === "connected" && s.newState === "reconnecting"));
  server.publish("r1", "live");
  await waitUntil(() => seqs.length === 5);
});

test("duplicate and replayed events are not emitted twice; a gap triggers a resubscribe", async () => {
  const { server, client } = await setup();
  await client.connect();
  const room = client.room("dup");
  const seqs = collect(room);
  const all: number[] = [];
  client.on("event", (e) => all.push(e.seq));
  await room.subscribe();
  const e1 = server.publish("dup", 1);
  server.inject({ t: "event", ...e1 });
  server.inject({ t: "event", ...e1 });
  // Seq 2 and 3 exist but the server "loses" them for this client: inject 4 directly.
  const room3 = server.room("dup");
  room3.events.push({ ...e1, seq: 2, id: "x2", cmid: "x2" }, { ...e1, seq: 3, id: "x3", cmid: "x3" });
  server.inject({ t: "event", ...e1, seq: 4, id: "x4", cmid: "x4" });
  room3.events.push({ ...e1, seq: 4, id: "x4", cmid: "x4" });
  await waitUntil(() => seqs.length === 4, 2000, "gap repair");
  assert.deepEqual(seqs, [1, 2, 3, 4]);
  assert.deepEqual(all, [1, 2, 3, 4]);
  assert.ok(server.framesOf("unsub").length === 1);
  assert.equal(server.framesOf("sub").at(-1)?.since, 1);
});

test("outbox resends with the same cmid after a drop and resolves once on ack", async () => {
  const { server, client } = await setup();
  await client.connect();
  const room = client.room("out");
  server.refuseAcks = true;
  let resolved = 0;
  const acks: number[] = [];
  client.on("ack", (a) => acks.push(a.seq));
  const published = room.publish({ text: "once" }).then((ack) => {
    resolved++;
    return ack;
  });
  await waitUntil(() => server.framesOf("pub").length === 1);
  server.refuseAcks = false;
  server.dropAll();
  const ack = await published;
  const pubs = server.framesOf("pub");
  assert.equal(pubs.length, 2);
  assert.equal(pubs[0]!.cmid, pubs[1]!.cmid);
  assert.deepEqual([ack.seq, ack.dup], [1, true]);
  assert.equal(server.room("out").events.length, 1, "stored exactly once");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(resolved, 1);
  assert.deepEqual(acks, [1]);
  assert.equal(client.pendingMessages, 0);
});

test("messages published while offline are sent in order once connected", async () => {
  const { server, client } = await setup();
  const room = client.room("offline");
  const acks = [room.publish(1), room.publish(2), room.publish(3)];
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(server.framesOf("pub").length, 0);
  await client.connect();
  const seqs = (await Promise.all(acks)).map((a) => a.seq);
  assert.deepEqual(seqs, [1, 2, 3]);
  assert.deepEqual(
    server.room("offline").events.map((e) => e.body),
    [1, 2, 3],
  );
});

test("a terminal close code stops reconnecting", async () => {
  const { server, client } = await setup();
  server.rejectWith = { code: CLOSE.UNAUTHORIZED, reason: "bad token" };
  const errors: Error[] = [];
  client.on("error", (e) => errors.push(e));
  await assert.rejects(client.connect(), /closed by server \(4500 bad token\)/);
  assert.equal(client.state, "closed");
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(server.accepted, 1);
  assert.ok(errors[0] instanceof ConnectionClosedError);
  assert.equal((errors[0] as ConnectionClosedError).closeCode, 4500);
});

test("a reconnectable close code reconnects", async () => {
  const { server, client } = await setup();
  await client.connect();
  server.dropAll(CLOSE.SHUTDOWN, "draining");
  await waitUntil(() => server.accepted === 2 && client.state === "connected", 2000, "reconnect");
});

test("answers pings and detects a dead link, then reconnects", async () => {
  const { server, client, states } = await setup({ heartbeatMs: 40 });
  await client.connect();
  await waitUntil(() => server.framesOf("pong").length >= 2, 30_000, "pongs");
  server.silent = true;
  await waitUntil(() => states.some((s) => s.reason.includes("heartbeat timeout")), 30_000, "dead link");
  server.silent = false;
  // On a loaded machine the first reconnect can reach the server before `silent` is off: its connect frame
  // is dropped and the client waits out connectTimeoutMs (10 s) before the next attempt, which then connects.
  await waitUntil(() => client.state === "connected" && server.accepted >= 2, 30_000, "reconnect");
});

test("TOKEN_EXPIRED close fetches a fresh token", async () => {
  let n = 0;
  const { server, client } = await setup({}, { user: undefined, getToken: async () => `t${++n}` });
  await client.connect();
  server.dropAll(CLOSE.TOKEN_EXPIRED, "expired");
  await waitUntil(() => server.framesOf("connect").length === 2 && client.state === "connected");
  server.dropAll();
  await waitUntil(() => server.framesOf("connect").length === 3 && client.state === "connected");
  assert.deepEqual(
    server.framesOf("connect").map((c) => c.token),
    ["t1", "t2", "t2"],
  );
});

test("history and presence; history issued while offline waits for the connection", async () => {
  const { server, client } = await setup();
  for (let i = 1; i <= 5; i++) server.publish("h", i);
  const room = client.room("h");
  const page = room.history({ before: 5, limit: 2 });
  await client.connect();
  const result = await page;
  assert.deepEqual(
    result.events.map((e) => e.seq),
    [3, 4],
  );
  assert.equal(result.hasMore, true);
  await room.subscribe();
  assert.deepEqual(await room.presence(), [{ user: "alice", connections: 1 }]);
});

test("disconnect() stops reconnecting and keeps unacked messages", async () => {
  const { server, client, states } = await setup();
  await client.connect();
  server.refuseAcks = true;
  void client
    .room("d")
    .publish("x")
    .catch(() => undefined);
  await waitUntil(() => server.framesOf("pub").length === 1);
  client.disconnect();
  assert.equal(client.state, "disconnected");
  assert.equal(states.at(-1)?.reason, "disconnect() called");
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(server.accepted, 1);
  assert.equal(client.pendingMessages, 1);
});

test("a wiped store (new epoch) is reported as recovered:false and the new stream is delivered", async () => {
  const { server, client } = await setup();
  await client.connect();
  const room = client.room("wipe");
  const events: Array<[number, unknown]> = [];
  room.on("event", (e) => events.push([e.seq, e.body]));
  const infos: Array<[boolean, boolean]> = [];
  room.on("subscribed", (i) => infos.push([i.recovered, i.epochChanged]));
  await room.subscribe();
  server.publish("wipe", "old-1");
  server.publish("wipe", "old-2");
  await waitUntil(() => events.length === 2);
  server.dropAll();
  server.resetRoom("wipe", "e2");
  server.publish("wipe", "new-1");
  await waitUntil(() => events.length === 3, 3000, "new epoch replay");
  assert.deepEqual(infos, [
    [true, false],
    [false, true],
  ]);
  assert.deepEqual(events[2], [1, "new-1"]);
  assert.equal(room.epoch, "e2");
  server.publish("wipe", "new-2");
  await waitUntil(() => events.length === 4);
  assert.equal(room.lastSeq, 2);
});

test("a subscription the server ends (unsubscribed without id) emits unsubscribed and is not resumed", async () => {
  const { server, client } = await setup({}, { backoff: { minMs: 20, maxMs: 20 } });
  await client.connect();
  const room = client.room("vault");
  const reasons: string[] = [];
  room.on("unsubscribed", (u) => reasons.push(u.reason));
  await room.subscribe();
  server.inject({ t: "unsubscribed", room: "vault", code: "FORBIDDEN" });
  await waitUntil(() => reasons.length === 1, 2000, "unsubscribed");
  assert.deepEqual([reasons, room.state], [["FORBIDDEN"], "unsubscribed"]);
  server.dropAll();
  await waitUntil(() => client.state === "connected" && server.framesOf("connect").length === 2, 5000, "reconnect");
  await client.room("other").subscribe(); // the session's subs are sent in order: vault's would come first
  assert.equal(server.framesOf("sub").filter((f) => f.room === "vault").length, 1, "vault is not re-subscribed");
});
