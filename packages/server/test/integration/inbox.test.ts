/**
 * The per-user channel against a real server with two users (docs/protocol.md, "Inbox"): a DM
 * opened by one reaches the other's inbox within 1 s; created, added, removed, joined and left
 * rooms show; unread and mention counts follow messages, deletes and receipts from any device.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { dmRoomId, type InboxRoom, type InboxRoomFrame, type ServerFrame } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import { restAs } from "../support/rest-as.js";
import { serverSuite, uniqueRoom } from "../support/fixtures.js";

const pid = process.pid;

/** The first `inbox.room` frame for `room` with this change (and seq, when given). */
function pushed(c: RawClient, room: string, change: string, seq?: number): Promise<InboxRoomFrame> {
  const match = (f: ServerFrame) =>
    f.t === "inbox.room" && f.room.id === room && f.change === change && (seq === undefined || f.seq === seq);
  return c.waitFor(match) as Promise<InboxRoomFrame>;
}

function counts(r: InboxRoom): [number, number, number] {
  return [r.lastReadSeq, r.unread, r.mentions];
}

describe("inbox", () => {
  const suite = serverSuite();
  const it = suite.it;

  it("a DM opened by one user is in the other's inbox within 1 s", async (pool) => {
    const [ann, bob] = [`ann${pid}-dm`, `bob${pid}-dm`];
    const b = await pool.connect({ user: bob });
    const snapshot = await b.expect({ t: "inbox" }, "inbox");
    const room = dmRoomId(ann, bob);
    assert.equal(
      snapshot.rooms.find((r) => r.id === room),
      undefined,
    );
    const started = Date.now();
    const opened = await restAs(suite.server.httpUrl, ann).call("POST", "/v1/dms", { user: bob });
    assert.equal(opened.status, 201);
    const frame = await pushed(b, room, "dm");
    const latency = Date.now() - started;
    assert.ok(latency < 1000, `DM reached the inbox after ${latency} ms`);
    assert.deepEqual(frame.room, {
      id: room,
      type: "dm",
      name: "",
      lastSeq: 1,
      lastReadSeq: 0,
      unread: 0,
      mentions: 0,
    });
    const seq = await restAs(suite.server.httpUrl, ann).publish(room, { text: `hi @${bob}` });
    assert.deepEqual(counts((await pushed(b, room, "activity", seq)).room), [0, 1, 1]);
    // A DM nobody opened through REST: its first event brings it in.
    const carl = `carl${pid}-dm`;
    const implicit = dmRoomId(carl, bob);
    const first = await restAs(suite.server.httpUrl, carl).publish(implicit, { text: "psst" });
    const got = await pushed(b, implicit, "dm", first);
    assert.deepEqual(counts(got.room), [0, 1, 0]);
  });

  it("rooms created, added, renamed, removed, joined and left show; the snapshot agrees", async (pool) => {
    const [ann, bob] = [`ann${pid}-rooms`, `bob${pid}-rooms`];
    const annRest = restAs(suite.server.httpUrl, ann);
    const bobRest = restAs(suite.server.httpUrl, bob);
    const a = await pool.connect({ user: ann });
    const b = await pool.connect({ user: bob });
    await a.expect({ t: "inbox" }, "inbox");
    await b.expect({ t: "inbox" }, "inbox");
    const priv = uniqueRoom("inbox-priv");
    assert.equal((await annRest.call("POST", "/v1/rooms", { id: priv, type: "private", name: "Secret" })).status, 201);
    assert.equal((await pushed(a, priv, "created")).room.name, "Secret");
    assert.equal((await annRest.call("POST", `/v1/rooms/${priv}/members`, { user: bob })).status, 201);
    assert.deepEqual((await pushed(b, priv, "added")).room.type, "private");
    assert.equal((await annRest.call("PATCH", `/v1/rooms/${priv}`, { name: "Plans" })).status, 200);
    assert.equal((await pushed(b, priv, "renamed")).room.name, "Plans");
    assert.equal((await annRest.call("DELETE", `/v1/rooms/${priv}/members/${bob}`)).status, 200);
    const removed = await b.waitFor((f) => f.t === "inbox.gone" && f.room === priv);
    assert.deepEqual({ ...removed, seq: 0 }, { t: "inbox.gone", change: "removed", seq: 0, room: priv });

    const pub = uniqueRoom("inbox-pub");
    assert.equal((await annRest.call("POST", "/v1/rooms", { id: pub, type: "public", name: "Open" })).status, 201);
    await annRest.publish(pub, { text: "before bob" });
    assert.equal((await bobRest.call("POST", `/v1/rooms/${pub}/join`)).status, 200);
    assert.deepEqual(counts((await pushed(b, pub, "joined")).room), [0, 1, 0]);
    const snapshot = await b.expect({ t: "inbox" }, "inbox");
    assert.deepEqual(
      snapshot.rooms.filter((r) => r.id === pub || r.id === priv).map((r) => [r.id, r.name, ...counts(r)]),
      [[pub, "Open", 0, 1, 0]],
    );
    assert.equal((await bobRest.call("POST", `/v1/rooms/${pub}/leave`)).status, 200);
    const left = await b.waitFor((f) => f.t === "inbox.gone" && f.room === pub);
    assert.equal(left.t === "inbox.gone" && left.change, "left");
  });

  it("unread and mentions follow others' messages, deletes and the user's receipts from any device", async (pool) => {
    const [ann, bob] = [`ann${pid}-counts`, `bob${pid}-counts`];
    const annRest = restAs(suite.server.httpUrl, ann);
    const room = uniqueRoom("inbox-counts");
    await annRest.call("POST", "/v1/rooms", { id: room, type: "public", name: "Counts" });
    await restAs(suite.server.httpUrl, bob).call("POST", `/v1/rooms/${room}/join`);
    const b = await pool.connect({ user: bob });
    const phone = await pool.connect({ user: bob });
    const before = (await b.expect({ t: "inbox" }, "inbox")).rooms.find((r) => r.id === room);
    assert.deepEqual(before && counts(before), [0, 0, 0]);
    const one = await annRest.publish(room, { text: "one" });
    const two = await annRest.publish(room, { text: `two @${bob}` });
    const three = await annRest.publish(room, { text: "three" });
    assert.deepEqual(counts((await pushed(b, room, "activity", three)).room), [0, 3, 1]);
    await annRest.publish(room, { target: one }, "delete");
    assert.deepEqual(counts((await pushed(b, room, "activity", three + 1)).room), [0, 2, 1]);
    // A receipt that reads part of the room (from the other device), then one that reads it all.
    const partial = await phone.expect(
      { t: "pub", room, cmid: `r1-${pid}`, kind: "receipt", body: { upTo: two } },
      "ack",
    );
    assert.deepEqual(counts((await pushed(b, room, "read", partial.seq)).room), [two, 1, 0]);
    const all = await phone.expect(
      { t: "pub", room, cmid: `r2-${pid}`, kind: "receipt", body: { upTo: partial.seq } },
      "ack",
    );
    assert.deepEqual(counts((await pushed(b, room, "read", all.seq)).room), [partial.seq, 0, 0]);
    // Bob's own message counts nothing.
    await phone.expect({ t: "pub", room, cmid: `m-${pid}`, body: { text: "mine" } }, "ack");
    const mention = await annRest.publish(room, { text: `@${bob} again` });
    assert.deepEqual(counts((await pushed(b, room, "activity", mention)).room), [partial.seq, 1, 1]);
  });

  it("a snapshot counts what the store counted; a partial receipt recounts it exactly", async (pool) => {
    const [ann, bob] = [`ann${pid}-recount`, `bob${pid}-recount`];
    const annRest = restAs(suite.server.httpUrl, ann);
    const room = uniqueRoom("inbox-recount");
    await annRest.call("POST", "/v1/rooms", { id: room, type: "public", name: "Recount" });
    await restAs(suite.server.httpUrl, bob).call("POST", `/v1/rooms/${room}/join`);
    const first = await annRest.publish(room, { text: `a @${bob}` });
    await annRest.publish(room, { text: "b" });
    await annRest.publish(room, { text: "c" });
    const b = await pool.connect({ user: bob });
    const entry = (await b.expect({ t: "inbox" }, "inbox")).rooms.find((r) => r.id === room);
    assert.deepEqual(entry && counts(entry), [0, 3, 1]);
    const r = await b.expect({ t: "pub", room, cmid: `rc-${pid}`, kind: "receipt", body: { upTo: first } }, "ack");
    assert.deepEqual(counts((await pushed(b, room, "read", r.seq)).room), [first, 2, 0]);
  });

  it("follows more rooms than a connection may subscribe to, without subscribing to any", async (pool) => {
    const bob = `bob${pid}-many`;
    const bobRest = restAs(suite.server.httpUrl, bob);
    const b = await pool.connect({ user: bob });
    const many = (b.connected?.limits.maxSubscriptions ?? 100) + 50;
    const ids = Array.from({ length: many }, (_, i) => uniqueRoom(`many-${i}`));
    for (const id of ids)
      assert.equal((await bobRest.call("POST", "/v1/rooms", { id, type: "public", name: id })).status, 201);
    const snapshot = await b.expect({ t: "inbox" }, "inbox");
    assert.equal(snapshot.rooms.filter((r) => ids.includes(r.id)).length, many);
    const last = ids.at(-1) ?? "";
    const seq = await restAs(suite.server.httpUrl, `ann${pid}-many`).publish(last, { text: `@${bob} in room ${many}` });
    assert.deepEqual(counts((await pushed(b, last, "activity", seq)).room), [0, 1, 1]);
    const metrics = await (await fetch(`${suite.server.httpUrl}/metrics`)).text();
    assert.match(metrics, /^parley_inboxes [1-9]\d*$/m);
    assert.match(metrics, /^parley_inbox_pushes_total [1-9]\d*$/m);
  });
});
