/**
 * Every server frame has exactly the fields frames.ts declares: no missing
 * field, no undeclared one. Clients are generated from those types, so a
 * drift here is a protocol break.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { ServerFrame } from "@parley/protocol";
import { publish, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

const EVENT_KEYS = ["body", "cmid", "from", "id", "kind", "room", "seq", "ts"];

/** The frame's keys, sorted. */
function keys(frame: ServerFrame | object): string[] {
  return Object.keys(frame).sort();
}

describe("server frame shapes match frames.ts", () => {
  const suite = serverSuite();
  const it = suite.it;

  it("connected, subscribed, event, ack, history, presence, join, leave, typing, unsubscribed, pong, error", async (pool) => {
    const room = uniqueRoom("shapes");
    const a = await pool.connect({ user: "alice" });
    const connected = a.connected!;
    assert.deepEqual(keys(connected), ["heartbeatMs", "id", "limits", "session", "t", "user", "version"]);
    assert.deepEqual(keys(connected.limits), [
      "maxFrameBytes",
      "maxMessageBytes",
      "maxSubscriptions",
      "publishBurst",
      "publishRate",
    ]);
    assert.equal(typeof connected.session, "string");
    assert.equal(connected.heartbeatMs, 5_000);
    assert.deepEqual(connected.limits, {
      maxMessageBytes: 16_384,
      maxSubscriptions: 100,
      maxFrameBytes: 65_536,
      publishRate: 50,
      publishBurst: 100,
    });

    const subscribed = await subscribe(a, room);
    assert.deepEqual(keys(subscribed), ["epoch", "id", "lastSeq", "recovered", "room", "t"]);
    assert.deepEqual([subscribed.lastSeq, subscribed.recovered], [0, true]);

    const b = await pool.connect({ user: "bob" });
    await subscribe(b, room);
    const join = await a.waitFor((f) => f.t === "join" && f.user === "bob");
    assert.deepEqual(join, { t: "join", room, user: "bob" });

    const ack = await publish(b, room, { text: "hi" }, "shape-1");
    assert.deepEqual(keys(ack), ["cmid", "dup", "id", "room", "seq", "t", "ts"]);
    const [event] = await a.waitForEvents(room, 1);
    assert.deepEqual(keys(event!), [...EVENT_KEYS, "t"].sort());

    const history = await a.expect({ t: "history", room }, "history");
    assert.deepEqual(keys(history), ["epoch", "events", "hasMore", "id", "room", "t"]);
    assert.equal(history.epoch, subscribed.epoch);
    assert.deepEqual(keys(history.events[0]!), EVENT_KEYS);

    const presence = await a.expect({ t: "presence", room }, "presence");
    assert.deepEqual(keys(presence), ["id", "members", "room", "t"]);
    assert.deepEqual(presence.members, [
      { user: "alice", connections: 1 },
      { user: "bob", connections: 1 },
    ]);

    b.send({ t: "typing", room });
    assert.deepEqual(await a.waitFor((f) => f.t === "typing"), { t: "typing", room, user: "bob" });

    const unsubscribed = await b.expect({ t: "unsub", room }, "unsubscribed");
    assert.deepEqual(keys(unsubscribed), ["id", "room", "t"]);
    assert.deepEqual(await a.waitFor((f) => f.t === "leave"), { t: "leave", room, user: "bob" });

    const pong = await a.request({ t: "ping" });
    assert.deepEqual(keys(pong), ["id", "t"]);
    const error = await a.request({ t: "nope" });
    assert.deepEqual(keys(error), ["code", "id", "message", "retryable", "t"]);
  });
});
