import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerFrame } from "@parley/protocol";
import { Outbox, type OutboxSettlement, type PublishSender } from "./outbox.js";
import { MemoryOutboxStorage, type OutboxEntry } from "./outbox-storage.js";
import { FakeTimers } from "./test-support/fake-timers.js";

interface Sent {
  entry: OutboxEntry;
  reply: (frame: ServerFrame) => void;
  fail: (error: Error) => void;
}

/** A sender that records sends; `connected` decides whether sending works. */
function fakeSender() {
  const sent: Sent[] = [];
  const sender: PublishSender & { connected: boolean } = {
    connected: true,
    send(entry, reply, fail) {
      if (!this.connected) return false;
      sent.push({ entry, reply, fail });
      return true;
    },
  };
  return { sent, sender };
}

function setup(storage = new MemoryOutboxStorage()) {
  const { sent, sender } = fakeSender();
  const timers = new FakeTimers();
  const settled: OutboxSettlement[] = [];
  let n = 0;
  const outbox = new Outbox({
    storage,
    sender,
    timers,
    backoff: { minMs: 100, maxMs: 1000 },
    random: () => 0.5,
    newId: () => `c${++n}`,
    onSettled: (s) => settled.push(s),
  });
  return { outbox, sent, sender, timers, storage, settled };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const ack = (s: Sent, seq: number, dup = false): ServerFrame => ({
  t: "ack",
  id: 1,
  room: s.entry.room,
  cmid: s.entry.cmid,
  seq,
  ts: 1,
  dup,
});

test("stores before sending, sends a room's messages one at a time in publish order, resolves on ack and removes", async () => {
  const { outbox, sent, storage } = setup();
  outbox.onConnected();
  const p1 = outbox.publish("r", "one");
  const p2 = outbox.publish("r", "two", "edit");
  await tick();
  assert.deepEqual(
    sent.map((s) => [s.entry.cmid, s.entry.body, s.entry.kind]),
    [["c1", "one", undefined]],
  );
  assert.equal((await storage.load()).length, 2);
  sent[0]!.reply(ack(sent[0]!, 10));
  assert.deepEqual(
    sent.map((s) => [s.entry.cmid, s.entry.body, s.entry.kind]),
    [
      ["c1", "one", undefined],
      ["c2", "two", "edit"],
    ],
  );
  sent[1]!.reply(ack(sent[1]!, 11));
  assert.deepEqual(await p1, { room: "r", cmid: "c1", seq: 10, ts: 1, dup: false });
  assert.equal((await p2).seq, 11);
  await tick();
  assert.equal(outbox.size, 0);
  assert.equal((await storage.load()).length, 0);
});

test("queues while disconnected and resends unacked in order with the same cmid", async () => {
  const { outbox, sent, sender } = setup();
  const p = [outbox.publish("r", 1), outbox.publish("r", 2), outbox.publish("r", 3)];
  await tick();
  assert.equal(sent.length, 0);
  outbox.onConnected();
  await tick();
  assert.deepEqual(
    sent.map((s) => s.entry.cmid),
    ["c1"],
  );
  sent[0]!.reply(ack(sent[0]!, 1));
  // Link drops with c2 in flight.
  sender.connected = false;
  outbox.onDisconnected();
  sent[1]!.fail(new Error("closed"));
  sender.connected = true;
  outbox.onConnected();
  await tick();
  assert.deepEqual(
    sent.slice(2).map((s) => s.entry.cmid),
    ["c2"],
  );
  sent[2]!.reply(ack(sent[2]!, 2, true));
  assert.equal(sent[3]!.entry.cmid, "c3");
  sent[3]!.reply(ack(sent[3]!, 3));
  assert.deepEqual(
    (await Promise.all(p)).map((a) => [a.seq, a.dup]),
    [
      [1, false],
      [2, true],
      [3, false],
    ],
  );
});

test("a second ack for the same cmid is ignored", async () => {
  const { outbox, sent, settled } = setup();
  outbox.onConnected();
  const p = outbox.publish("r", "x");
  await tick();
  sent[0]!.reply(ack(sent[0]!, 4));
  sent[0]!.reply(ack(sent[0]!, 4, true));
  assert.equal((await p).seq, 4);
  assert.equal(settled.length, 1);
});

test("a retryable error retries the same cmid after backoff", async () => {
  const { outbox, sent, timers } = setup();
  outbox.onConnected();
  const p = outbox.publish("r", "x");
  await tick();
  sent[0]!.reply({ t: "error", id: 1, code: "RATE_LIMITED", message: "slow down", retryable: true });
  assert.equal(sent.length, 1);
  timers.advance(49);
  assert.equal(sent.length, 1);
  timers.advance(1);
  assert.equal(sent.length, 2);
  assert.equal(sent[1]!.entry.cmid, "c1");
  sent[1]!.reply(ack(sent[1]!, 1));
  assert.equal((await p).seq, 1);
});

test("a non-retryable error rejects, removes and does not block later messages", async () => {
  const { outbox, sent, storage, settled } = setup();
  outbox.onConnected();
  const bad = outbox.publish("r", "x");
  const good = outbox.publish("r", "y");
  await tick();
  assert.equal(sent.length, 1);
  sent[0]!.reply({ t: "error", id: 1, code: "FORBIDDEN", message: "no", retryable: false });
  await assert.rejects(bad, (e: Error & { code?: string }) => e.code === "FORBIDDEN");
  assert.equal(sent[1]!.entry.cmid, "c2");
  sent[1]!.reply(ack(sent[1]!, 1));
  await good;
  await tick();
  assert.equal((await storage.load()).length, 0);
  assert.deepEqual(
    settled.map((s) => ("ack" in s ? "ack" : "error")),
    ["error", "ack"],
  );
});

test("entries already in storage (a reload) are sent first, in their order, and reported through onSettled", async () => {
  const storage = new MemoryOutboxStorage();
  await storage.put({ cmid: "old-2", room: "r", body: 2, order: 2, createdAt: 0 });
  await storage.put({ cmid: "old-1", room: "r", body: 1, order: 1, createdAt: 0 });
  const { outbox, sent, settled } = setup(storage);
  void outbox.publish("r", 3);
  outbox.onConnected();
  await tick();
  for (const [i, cmid] of ["old-1", "old-2", "c1"].entries()) {
    assert.deepEqual(
      sent.map((s) => s.entry.cmid),
      ["old-1", "old-2", "c1"].slice(0, i + 1),
    );
    sent[i]!.reply(ack(sent[i]!, i + 1));
    assert.equal(settled.length, i + 1, cmid);
  }
  assert.equal(sent[2]!.entry.order, 3);
});

test("a storage failure rejects the publish and sends nothing", async () => {
  const storage = new MemoryOutboxStorage();
  storage.put = async () => {
    throw new Error("quota exceeded");
  };
  const { outbox, sent } = setup(storage);
  outbox.onConnected();
  await assert.rejects(outbox.publish("r", "x"), /quota/);
  assert.equal(sent.length, 0);
  assert.equal(outbox.size, 0);
});

const refuse = (code: "RATE_LIMITED" | "UNAVAILABLE"): ServerFrame => ({
  t: "error",
  id: 1,
  code,
  message: "later",
  retryable: true,
});

test("a retryable refusal holds the rest of its room behind it; other rooms go on", async () => {
  const { outbox, sent, timers } = setup();
  outbox.onConnected();
  const acks = [outbox.publish("r", 1), outbox.publish("r", 2), outbox.publish("other", "x"), outbox.publish("r", 3)];
  await tick();
  assert.deepEqual(
    sent.map((s) => s.entry.cmid),
    ["c1", "c3"],
  );
  sent[0]!.reply(refuse("UNAVAILABLE"));
  sent[1]!.reply(ack(sent[1]!, 1));
  // c2 and c4 wait for c1's retry, however long it takes.
  assert.equal(sent.length, 2);
  timers.advance(49);
  assert.equal(sent.length, 2);
  timers.advance(1);
  assert.deepEqual(
    sent.map((s) => s.entry.cmid),
    ["c1", "c3", "c1"],
  );
  sent[2]!.reply(refuse("RATE_LIMITED"));
  timers.advance(100);
  assert.equal(sent[3]!.entry.cmid, "c1");
  sent[3]!.reply(ack(sent[3]!, 7));
  assert.equal(sent[4]!.entry.cmid, "c2");
  sent[4]!.reply(ack(sent[4]!, 8));
  assert.equal(sent[5]!.entry.cmid, "c4");
  sent[5]!.reply(ack(sent[5]!, 9));
  assert.deepEqual(
    (await Promise.all(acks)).map((a) => a.seq),
    [7, 8, 1, 9],
  );
});

test("paces sends to the announced publish bucket, keeping a tenth of the burst in reserve", async () => {
  const { outbox, sent, timers } = setup();
  outbox.onConnected({ maxMessageBytes: 1000, maxSubscriptions: 10, publishRate: 10, publishBurst: 20 });
  for (let i = 0; i < 30; i++) void outbox.publish(`room-${i}`, i);
  await tick();
  assert.equal(sent.length, 18);
  timers.advance(99);
  assert.equal(sent.length, 18);
  timers.advance(1);
  assert.equal(sent.length, 19);
  timers.advance(1000);
  assert.equal(sent.length, 29);
  // A refusal for want of tokens means the server's bucket is emptier than ours: start from empty.
  sent[0]!.reply(refuse("RATE_LIMITED"));
  timers.advance(99);
  assert.equal(sent.length, 29);
  timers.advance(1);
  timers.advance(100);
  assert.deepEqual(
    sent.map((s) => s.entry.body),
    [...Array.from({ length: 29 }, (_, i) => i), 0, 29],
  );
});

test("without announced publish limits (an older server) nothing is paced", async () => {
  const { outbox, sent } = setup();
  outbox.onConnected({ maxMessageBytes: 1000, maxSubscriptions: 10 });
  for (let i = 0; i < 300; i++) void outbox.publish(`room-${i}`, i);
  await tick();
  assert.equal(sent.length, 300);
});
