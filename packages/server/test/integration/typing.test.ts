/**
 * Typing notices: ephemeral, delivered to the room's other subscribers,
 * rate-limited per connection (RATE_LIMITED), never sequenced or stored.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { ERRORS } from "@parley/protocol";
import { publish, readAllHistory, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

describe("typing", () => {
  const suite = serverSuite({ args: ["--typing-rate-per-connection", "2"] });
  const it = suite.it;

  it("is delivered to other subscribers with the sender's user id", async (pool) => {
    const room = uniqueRoom("typing");
    const alice = await pool.connect({ user: "alice" });
    const bob = await pool.connect({ user: "bob" });
    await subscribe(alice, room);
    await subscribe(bob, room);
    alice.send({ t: "typing", room });
    const notice = await bob.waitFor((f) => f.t === "typing" && f.room === room);
    assert.deepEqual(notice, { t: "typing", room, user: "alice" });
    assert.equal(alice.errors().length, 0);
    await publish(bob, room, "barrier"); // the sender would have its own notice before this event
    await alice.waitForEvents(room, 1);
    assert.equal(alice.frames.filter((f) => f.t === "typing").length, 0, "the sender does not get its own notice");
  });

  it("requires a subscription to the room: NOT_SUBSCRIBED", async (pool) => {
    const room = uniqueRoom("typing-unsub");
    const alice = await pool.connect({ user: "alice" });
    const bob = await pool.connect({ user: "bob" });
    await subscribe(bob, room);
    alice.send({ t: "typing", room });
    const error = await alice.waitFor((f) => f.t === "error");
    assert.equal((error as { code: string }).code, "NOT_SUBSCRIBED");
    await publish(alice, room, "barrier");
    await bob.waitForEvents(room, 1);
    assert.equal(bob.frames.filter((f) => f.t === "typing").length, 0);
  });

  it("is rate-limited per connection with RATE_LIMITED", async (pool) => {
    const room = uniqueRoom("typing-rate");
    const alice = await pool.connect({ user: "alice" });
    const bob = await pool.connect({ user: "bob" });
    await subscribe(alice, room);
    await subscribe(bob, room);
    const sent = 20;
    for (let i = 0; i < sent; i++) alice.send({ t: "typing", room });
    const limited = await alice.waitFor((f) => f.t === "error" && f.code === "RATE_LIMITED");
    assert.deepEqual(limited, {
      t: "error",
      code: "RATE_LIMITED",
      message: (limited as { message: string }).message,
      retryable: ERRORS.RATE_LIMITED.retryable,
    });
    // The barrier is handled after every notice: alice's refusals precede its ack, bob's notices its event.
    await publish(alice, room, "barrier");
    await bob.waitForEvents(room, 1);
    const delivered = bob.frames.filter((f) => f.t === "typing" && f.room === room).length;
    const rejected = alice.errors().filter((e) => e.code === "RATE_LIMITED").length;
    // Burst is 2× the rate (4 here); the rest of a same-instant burst is refused, each with RATE_LIMITED.
    assert.equal(delivered, 4);
    assert.equal(rejected, sent - 4);
  });

  it("is never sequenced nor stored in history", async (pool) => {
    const room = uniqueRoom("typing-history");
    const alice = await pool.connect({ user: "alice" });
    const bob = await pool.connect({ user: "bob" });
    await subscribe(bob, room);
    await subscribe(alice, room);
    alice.send({ t: "typing", room });
    await bob.waitFor((f) => f.t === "typing" && f.room === room);
    const ack = await publish(alice, room, "after typing");
    assert.equal(ack.seq, 1);
    const history = await readAllHistory(bob, room);
    assert.deepEqual(
      history.map((e) => [e.seq, e.kind, e.body]),
      [[1, "message", "after typing"]],
    );
    assert.deepEqual(
      bob.events(room).map((e) => e.seq),
      [1],
    );
  });
});
