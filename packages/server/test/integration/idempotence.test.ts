/**
 * Invariant 3: exactly once by cmid. Re-publishing a cmid (same connection,
 * another connection, after kill -9) is acked with dup:true and the original
 * seq, and subscribers receive nothing new; another user's publish of the
 * same cmid is refused with CMID_CONFLICT.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { ErrorFrame } from "@parley/protocol";
import { publish, readAllHistory, seqs, serverSuite, sleep, subscribe, uniqueRoom } from "../support/fixtures.js";

describe("idempotence by cmid", () => {
  const suite = serverSuite();
  const it = suite.it;

  it("same cmid on the same and on another connection: dup ack with the original seq, nothing delivered", async (pool) => {
    const room = uniqueRoom("dedupe");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const a = await pool.connect({ user: "alice" });
    const b = await pool.connect({ user: "alice" });

    await publish(a, room, "zero", "cmid-0");
    const original = await publish(a, room, { text: "once" }, "cmid-1");
    assert.equal(original.seq, 2);
    assert.equal(original.dup, false);

    const again = await publish(a, room, { text: "once" }, "cmid-1");
    assert.equal(again.dup, true);
    assert.equal(again.seq, 2);
    assert.equal(again.cmid, "cmid-1");

    const elsewhere = await publish(b, room, { text: "once" }, "cmid-1");
    assert.equal(elsewhere.dup, true);
    assert.equal(elsewhere.seq, 2);

    // A fresh cmid after the duplicates gets the next seq: duplicates consumed none.
    const next = await publish(b, room, "next", "cmid-2");
    assert.equal(next.seq, 3);
    assert.equal(next.dup, false);

    const events = await watcher.waitForEvents(room, 3);
    await sleep(200); // a duplicate delivery would arrive before this
    assert.deepEqual(seqs(watcher.events(room)), [1, 2, 3]);
    assert.deepEqual(
      events.map((e) => e.cmid),
      ["cmid-0", "cmid-1", "cmid-2"],
    );
    assert.deepEqual(seqs(await readAllHistory(watcher, room)), [1, 2, 3]);
  });

  it("a retry with a different body is still the original; the same cmid in another room is independent", async (pool) => {
    const room = uniqueRoom("dedupe-body");
    const other = uniqueRoom("dedupe-other");
    const c = await pool.connect({ user: "erin" });
    assert.equal((await publish(c, room, { v: "first" }, "shared-cmid")).seq, 1);
    const retry = await publish(c, room, { v: "changed" }, "shared-cmid");
    assert.equal(retry.dup, true);
    const elsewhere = await publish(c, other, { v: "other room" }, "shared-cmid");
    assert.equal(elsewhere.dup, false);
    assert.equal(elsewhere.seq, 1);
    const history = await readAllHistory(c, room);
    assert.deepEqual(
      history.map((e) => e.body),
      [{ v: "first" }],
    );
  });

  it("REST and WebSocket publishes share one dedupe: a WS retry of a REST publish is a duplicate", async (pool) => {
    const room = uniqueRoom("dedupe-rest");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const post = (): Promise<Response> =>
      fetch(`${suite.server.httpUrl}/v1/rooms/${room}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-user": "frank" },
        body: JSON.stringify({ cmid: "rest-1", body: { via: "rest" } }),
      });
    const created = await post();
    assert.equal(created.status, 201);
    const first = (await created.json()) as { seq: number; dup: boolean };
    assert.deepEqual([first.seq, first.dup], [1, false]);
    const again = await post();
    assert.equal(again.status, 200);
    assert.equal(((await again.json()) as { dup: boolean }).dup, true);
    const ws = await pool.connect({ user: "frank" });
    const retry = await publish(ws, room, { via: "rest" }, "rest-1");
    assert.deepEqual([retry.seq, retry.dup], [1, true]);
    const events = await watcher.waitForEvents(room, 1);
    await sleep(200);
    assert.equal(watcher.events(room).length, 1);
    assert.deepEqual([events[0]!.from, events[0]!.body], ["frank", { via: "rest" }]);
  });

  it("another user's cmid: CMID_CONFLICT over WebSocket and 409 over REST; the original stands, nothing delivered", async (pool) => {
    const room = uniqueRoom("dedupe-conflict");
    const watcher = await pool.connect({ user: "watcher" });
    await subscribe(watcher, room);
    const alice = await pool.connect({ user: "alice" });
    const original = await publish(alice, room, { text: "alice's" }, "taken");
    const mallory = await pool.connect({ user: "mallory" });
    const refused = await mallory.request({ t: "pub", room, cmid: "taken", body: { text: "mallory's" } });
    assert.deepEqual(
      [refused.t, (refused as ErrorFrame).code, (refused as ErrorFrame).retryable],
      ["error", "CMID_CONFLICT", false],
    );
    const rest = await fetch(`${suite.server.httpUrl}/v1/rooms/${room}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-user": "mallory" },
      body: JSON.stringify({ cmid: "taken", body: { text: "mallory's" } }),
    });
    assert.equal(rest.status, 409);
    assert.equal(((await rest.json()) as { error: { code: string } }).error.code, "CMID_CONFLICT");
    const retry = await publish(alice, room, { text: "alice's" }, "taken");
    assert.deepEqual([retry.seq, retry.dup], [original.seq, true]);
    await watcher.waitForEvents(room, 1);
    await sleep(200); // a wrongly delivered event would arrive before this
    assert.deepEqual(
      watcher.events(room).map((e) => [e.from, e.body]),
      [["alice", { text: "alice's" }]],
    );
  });

  it("concurrent retries of one cmid are sequenced once", async (pool) => {
    const room = uniqueRoom("dedupe-race");
    const clients = await Promise.all([1, 2, 3].map(() => pool.connect({ user: "racer" })));
    const acks = await Promise.all(clients.map((c) => publish(c, room, "same", "race-cmid")));
    assert.deepEqual(
      acks.map((a) => a.seq),
      [1, 1, 1],
    );
    assert.equal(acks.filter((a) => !a.dup).length, 1);
    assert.deepEqual(seqs(await readAllHistory(clients[0]!, room)), [1]);
  });

  it("after kill -9 and restart a retried cmid is still a duplicate", async (pool) => {
    const room = uniqueRoom("dedupe-crash");
    const writer = await pool.connect({ user: "bob" });
    const acks = [];
    for (let i = 1; i <= 5; i++) acks.push(await publish(writer, room, { i }, `crash-${i}`));
    await suite.server.kill9();
    await suite.server.restart();

    const watcher = await pool.connect({ user: "watcher" });
    const subscribed = await subscribe(watcher, room, { since: 5 });
    assert.equal(subscribed.lastSeq, 5);
    const retry = await pool.connect({ user: "bob" });
    for (const original of acks) {
      const dup = await publish(retry, room, { i: original.seq }, original.cmid);
      assert.equal(dup.dup, true);
      assert.equal(dup.seq, original.seq);
    }
    const intruder = await pool.connect({ user: "mallory" });
    const refused = await intruder.request({ t: "pub", room, cmid: "crash-1", body: { i: 1 } });
    assert.equal((refused as ErrorFrame).code, "CMID_CONFLICT", "found in the store, not only in memory");
    const fresh = await publish(retry, room, { i: 6 }, "crash-6");
    assert.equal(fresh.seq, 6);
    assert.equal(fresh.dup, false);
    const events = await watcher.waitForEvents(room, 1);
    await sleep(200);
    assert.deepEqual(seqs(watcher.events(room)), [6]);
    assert.equal(events[0]!.cmid, "crash-6");
    assert.deepEqual(seqs(await readAllHistory(watcher, room)), [1, 2, 3, 4, 5, 6]);
  });
});
