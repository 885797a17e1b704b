/**
 * What is not sequenced must still cross gateways: typing notices, presence,
 * and the end of a subscription whose access was revoked. Two gateways (A
 * and B), one sequencer and a sink as real processes on the test broker and
 * PostgreSQL. Each test acts on B and waits for the frame on A (or the
 * other way round); the delays seen are reported as diagnostics, never
 * asserted (docs/cluster.md states the bounds).
 *
 * Typing and presence share one single-partition topic, so a later notice
 * of the same cluster is a barrier: once it arrived, any earlier frame
 * would have arrived too.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { ServerFrame } from "@parley/protocol";
import { subscribe, uniqueRoom } from "../support/fixtures.js";
import type { RawClient } from "../support/raw-client.js";
import { restAs } from "../support/rest-as.js";
import { TestCluster } from "../support/cluster-fixture.js";

const TYPING_RATE = 2; // burst 2× (docs/protocol.md)

describe("cross-gateway: typing, presence, revocation", { timeout: 180_000 }, () => {
  let cluster: TestCluster;
  let a: TestCluster["gateways"][number];
  let b: TestCluster["gateways"][number];
  before(async () => {
    cluster = await TestCluster.start({
      gateways: 2,
      sequencers: 1,
      args: ["--typing-rate-per-connection", String(TYPING_RATE)],
    });
    [a, b] = cluster.gateways as [typeof a, typeof b];
  });
  after(() => cluster?.dispose());

  it("typing on B reaches A's subscribers of the room only, at the sender's rate, never echoed", async (t) => {
    await cluster.explained(async () => {
      const [room, other] = [uniqueRoom("typing"), uniqueRoom("typing-other")];
      const [carol, dave] = [await cluster.connect(a, "carol"), await cluster.connect(a, "dave")];
      const [alice, bob] = [await cluster.connect(b, "alice"), await cluster.connect(b, "bob")];
      await subscribe(carol, room);
      await subscribe(dave, other);
      for (const c of [alice, bob]) await subscribe(c, room);
      await subscribe(bob, other);
      const sentAt = Date.now();
      alice.send({ t: "typing", room });
      await carol.waitFor((f) => isFrame(f, "typing", room, "alice"), 20_000);
      t.diagnostic(`typing B→A: ${Date.now() - sentAt} ms`);

      // A burst: B lets the bucket's tokens through and refuses the rest; A must get exactly what B let through.
      const burst = 20;
      for (let i = 0; i < burst; i++) alice.send({ t: "typing", room });
      await alice.expect({ t: "ping" }, "pong"); // B has handled the burst (a connection's frames are handled in order)
      await bob.expect({ t: "ping" }, "pong"); // and bob has every notice B relayed to him before
      const passed = typingFrom(bob, room, "alice");
      const refused = alice.errors().filter((e) => e.code === "RATE_LIMITED").length;
      assert.equal(passed + refused, burst + 1, "each notice passed or was refused");
      assert.ok(refused > 0, "the burst was limited");
      await waitCount(carol, (f) => isFrame(f, "typing", room, "alice"), passed);

      // Barrier 1: bob types after alice; once carol has it, any extra notice of alice's would be there too.
      bob.send({ t: "typing", room });
      bob.send({ t: "typing", room: other });
      await carol.waitFor((f) => isFrame(f, "typing", room, "bob"), 20_000);
      await dave.waitFor((f) => isFrame(f, "typing", other, "bob"), 20_000);
      assert.equal(typingFrom(carol, room, "alice"), passed, "A delivers exactly what B let through");
      assert.deepEqual(typings(dave), [`${other} bob`], "nothing of a room dave is not subscribed to");

      // Barrier 2: carol types on A; once alice has it, an echo of B's own notices would be there before it.
      carol.send({ t: "typing", room });
      await alice.waitFor((f) => isFrame(f, "typing", room, "carol"), 20_000);
      assert.deepEqual(typings(alice), [`${room} bob`, `${room} carol`], "no echo of B's own notices");
      assert.deepEqual(typings(carol), [...Array(passed).fill(`${room} alice`), `${room} bob`]);
    })();
  });

  it("presence: a join, the member list and a leave on B are seen on A", async (t) => {
    await cluster.explained(async () => {
      const room = uniqueRoom("presence");
      const carol = await cluster.connect(a, "carol");
      await subscribe(carol, room);
      const bob = await cluster.connect(b, "bob");
      const joinedAt = Date.now();
      await subscribe(bob, room);
      await carol.waitFor((f) => isFrame(f, "join", room, "bob"), 20_000);
      t.diagnostic(`presence join B→A: ${Date.now() - joinedAt} ms`);
      const members = await carol.expect({ t: "presence", room }, "presence");
      assert.deepEqual(members.members, [
        { user: "bob", connections: 1 },
        { user: "carol", connections: 1 },
      ]);
      await bob.expect({ t: "unsub", room }, "unsubscribed");
      await carol.waitFor((f) => isFrame(f, "leave", room, "bob"), 20_000);
      assert.deepEqual((await carol.expect({ t: "presence", room }, "presence")).members, [
        { user: "carol", connections: 1 },
      ]);
      // A disconnect is a leave too.
      await subscribe(bob, room);
      await waitCount(carol, (f) => isFrame(f, "join", room, "bob"), 2);
      await bob.close();
      await waitCount(carol, (f) => isFrame(f, "leave", room, "bob"), 2);
      assert.deepEqual((await carol.expect({ t: "presence", room }, "presence")).members, [
        { user: "carol", connections: 1 },
      ]);
    })();
  });

  it("an add through B lets the user into the private room on A at once, not after the rule cache's TTL", async (t) => {
    await cluster.explained(async () => {
      const room = uniqueRoom("widen");
      const ann = restAs(b.httpUrl, "ann");
      assert.equal((await ann.call("POST", "/v1/rooms", { id: room, type: "private", name: "p" })).status, 201);
      const cy = await cluster.connect(a, "cy");
      // Refused on A: A has now cached "cy is not a member" (for 30 s, the cluster's TTL).
      assert.equal((await cy.request({ t: "sub", room }, 20_000)).t, "error");
      const addedAt = Date.now();
      assert.equal((await ann.call("POST", `/v1/rooms/${room}/members`, { user: "cy" })).status, 201);
      // The add's member.joined event reaches A through the log; from then on A admits cy.
      let reply: ServerFrame = await cy.request({ t: "sub", room }, 20_000);
      while (reply.t !== "subscribed" && Date.now() - addedAt < 10_000)
        reply = await cy.request({ t: "sub", room }, 20_000);
      t.diagnostic(`admitted on A ${Date.now() - addedAt} ms after the add on B`);
      assert.equal(reply.t, "subscribed", `still refused 10 s after the add: ${JSON.stringify(reply)}`);
    })();
  });

  it("a leave through B ends the subscription on A; B sees the user leave; typing there is refused", async (t) => {
    await cluster.explained(async () => {
      const room = uniqueRoom("revoke");
      const ann = restAs(b.httpUrl, "ann");
      assert.equal((await ann.call("POST", "/v1/rooms", { id: room, type: "private", name: "p" })).status, 201);
      assert.equal((await ann.call("POST", `/v1/rooms/${room}/members`, { user: "ben" })).status, 201);
      const ben = await cluster.connect(a, "ben");
      const watcher = await cluster.connect(b, "ann");
      await subscribe(watcher, room);
      await subscribe(ben, room);
      await watcher.waitFor((f) => isFrame(f, "join", room, "ben"), 20_000);
      const leftAt = Date.now();
      assert.equal((await restAs(b.httpUrl, "ben").call("POST", `/v1/rooms/${room}/leave`)).status, 200);
      const ended = await ben.waitFor((f) => f.t === "unsubscribed" && f.room === room, 20_000);
      t.diagnostic(`revocation B→A: ${Date.now() - leftAt} ms`);
      assert.deepEqual(ended, { t: "unsubscribed", room, code: "FORBIDDEN" });
      await watcher.waitFor((f) => isFrame(f, "leave", room, "ben"), 20_000);
      ben.send({ t: "typing", room });
      const refused = await ben.waitFor((f) => f.t === "error", 20_000);
      assert.equal((refused as { code: string }).code, "NOT_SUBSCRIBED");
      assert.equal((await ben.request({ t: "sub", room }, 20_000)).t, "error", "a new sub is refused");
    })();
  });
});

function isFrame(f: ServerFrame, t: "typing" | "join" | "leave", room: string, user: string): boolean {
  return f.t === t && f.room === room && f.user === user;
}

/** The client's typing notices as `room user` strings, in arrival order. */
function typings(c: RawClient): string[] {
  return c.frames.flatMap((f) => (f.t === "typing" ? [`${f.room} ${f.user}`] : []));
}

function typingFrom(c: RawClient, room: string, user: string): number {
  return c.frames.filter((f) => isFrame(f, "typing", room, user)).length;
}

/** Waits until `count` received frames match `pred` (a frame arriving re-checks; one already there counts). */
async function waitCount(c: RawClient, pred: (f: ServerFrame) => boolean, count: number): Promise<void> {
  const enough = () => c.frames.filter(pred).length >= count;
  if (!enough()) await c.waitFor(enough, 20_000);
}
