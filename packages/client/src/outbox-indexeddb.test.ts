import assert from "node:assert/strict";
import { test } from "node:test";
import type { ServerFrame } from "@parley/protocol";
import { IDBFactory } from "fake-indexeddb";
import { IndexedDbOutboxStorage } from "./outbox-indexeddb.js";
import { Outbox } from "./outbox.js";
import type { OutboxEntry } from "./outbox-storage.js";
import { waitUntil } from "./test-support/fake-server.js";
import { FakeTimers } from "./test-support/fake-timers.js";

/** Entries a fresh storage over `indexedDB` finds: what a reload would see. */
async function persisted(indexedDB: IDBFactory): Promise<number> {
  return (await new IndexedDbOutboxStorage({ indexedDB }).load()).length;
}

const entry = (cmid: string, order: number): OutboxEntry => ({
  cmid,
  room: "r",
  body: { n: order },
  order,
  createdAt: 1,
});

test("put, load in order, remove", async () => {
  const storage = new IndexedDbOutboxStorage({ indexedDB: new IDBFactory() });
  assert.deepEqual(await storage.load(), []);
  await storage.put(entry("b", 2));
  await storage.put(entry("a", 1));
  await storage.put(entry("c", 3));
  await storage.remove("b");
  await storage.remove("missing");
  assert.deepEqual(
    (await storage.load()).map((e) => e.cmid),
    ["a", "c"],
  );
  await storage.close();
});

test("entries survive a reload (a new storage over the same database)", async () => {
  const indexedDB = new IDBFactory();
  const first = new IndexedDbOutboxStorage({ indexedDB, name: "app" });
  await first.put(entry("x", 1));
  await first.put(entry("y", 2));
  await first.close();
  const reloaded = new IndexedDbOutboxStorage({ indexedDB, name: "app" });
  assert.deepEqual(await reloaded.load(), [entry("x", 1), entry("y", 2)]);
  const other = new IndexedDbOutboxStorage({ indexedDB, name: "other-account" });
  assert.deepEqual(await other.load(), []);
});

test("an outbox over a reloaded database resends the persisted messages first, same cmids", async () => {
  const indexedDB = new IDBFactory();
  const timers = new FakeTimers();
  const sent: string[] = [];
  const offline = { send: () => false };
  const options = { timers, backoff: { minMs: 1, maxMs: 1 }, newId: () => `new-${sent.length}` };
  const before = new Outbox({ ...options, storage: new IndexedDbOutboxStorage({ indexedDB }), sender: offline });
  void before.publish("r", "written before the reload");
  await waitUntil(async () => (await persisted(indexedDB)) === 1, 30_000, "the write");
  const storage = new IndexedDbOutboxStorage({ indexedDB });
  const after = new Outbox({
    ...options,
    storage,
    sender: {
      send: (e) => {
        sent.push(e.cmid);
        return true;
      },
    },
  });
  await after.ready;
  assert.equal(after.size, 1);
  after.onConnected();
  await waitUntil(() => sent.length > 0, 30_000, "the resend");
  assert.deepEqual(sent, ["new-0"]);
});

test("after a reload a room keeps its publish order: old messages first, one at a time, through a retryable refusal", async () => {
  const indexedDB = new IDBFactory();
  const timers = new FakeTimers();
  let n = 0;
  const options = { timers, backoff: { minMs: 10, maxMs: 10 }, random: () => 0.5, newId: () => `m${++n}` };
  const before = new Outbox({
    ...options,
    storage: new IndexedDbOutboxStorage({ indexedDB }),
    sender: { send: () => false },
  });
  for (const text of ["one", "two", "three"]) void before.publish("r", text);
  await waitUntil(async () => (await persisted(indexedDB)) === 3, 30_000, "the writes");
  const sent: Array<{ cmid: string; reply: (frame: ServerFrame) => void }> = [];
  const after = new Outbox({
    ...options,
    storage: new IndexedDbOutboxStorage({ indexedDB }),
    sender: { send: (e, reply) => (sent.push({ cmid: e.cmid, reply }), true) },
  });
  const fourth = after.publish("r", "four, after the reload");
  after.onConnected();
  await waitUntil(() => sent.length > 0, 30_000, "the first resend");
  assert.deepEqual(
    sent.map((s) => s.cmid),
    ["m1"],
  );
  sent[0]!.reply({ t: "error", id: 1, code: "UNAVAILABLE", message: "later", retryable: true });
  assert.equal(sent.length, 1, "m2 waits for m1's retry");
  timers.advance(5);
  for (let i = 1; i <= 4; i++) {
    const s = sent[i]!;
    s.reply({ t: "ack", id: 1, room: "r", cmid: s.cmid, seq: i, ts: 1, dup: false });
  }
  assert.deepEqual(
    sent.map((s) => s.cmid),
    ["m1", "m1", "m2", "m3", "m4"],
  );
  assert.equal((await fourth).seq, 4);
});
