import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { OutboundFrame } from "#server/transport/outbound-frame.js";
import { assertEveryMove } from "../support/diagram.js";
import { SUBSCRIPTION_TRANSITIONS, Subscription, type SubscriptionOwner } from "#server/gateway/subscription.js";

/** A subscription owner that records the seqs written to it, live and replayed, in order. */
class RecordingOwner implements SubscriptionOwner {
  readonly user = "u";
  readonly sent: number[] = [];
  overflows = 0;
  sendFrame(frame: OutboundFrame): void {
    for (const text of frame.texts()) this.sent.push((JSON.parse(text) as { seq: number }).seq);
  }
  sendReplay(frame: OutboundFrame): void {
    this.sendFrame(frame);
  }
  overflow(): void {
    this.overflows++;
  }
  revoke(): void {}
}

const event = (seq: number): RoomEvent => ({
  room: "r",
  seq,
  id: `e${seq}`,
  from: "p",
  ts: 0,
  kind: "message",
  body: seq,
  cmid: `c${seq}`,
});
const frameOf = (seq: number) => OutboundFrame.of(JSON.stringify({ t: "event", ...event(seq) }));
const deliver = (sub: Subscription, seq: number) => sub.onEvent(event(seq), frameOf(seq));

function setup(maxPendingBytes = 1 << 20) {
  const owner = new RecordingOwner();
  return { owner, sub: new Subscription("r", owner, maxPendingBytes) };
}

describe("Subscription states", () => {
  it("has the diagram resuming → live → ended, resuming → ended, ended terminal", () => {
    assert.deepEqual(SUBSCRIPTION_TRANSITIONS, { resuming: ["live", "ended"], live: ["ended"], ended: [] });
    assertEveryMove("subscription", SUBSCRIPTION_TRANSITIONS);
  });

  it("resuming → live: buffers live events while resuming, then sends those replay did not cover", () => {
    const { owner, sub } = setup();
    assert.equal(sub.state, "resuming");
    deliver(sub, 3);
    deliver(sub, 4);
    assert.deepEqual(owner.sent, [], "buffered while resuming");
    sub.replay(event(2), frameOf(2));
    sub.replay(event(3), frameOf(3));
    sub.goLive();
    assert.equal(sub.state, "live");
    assert.equal(sub.isLive, true);
    deliver(sub, 4);
    deliver(sub, 5);
    assert.deepEqual(owner.sent, [2, 3, 4, 5], "each seq once, in order");
  });

  it("resuming → ended: drops what it buffered and sends nothing more", () => {
    const { owner, sub } = setup();
    deliver(sub, 1);
    sub.end();
    assert.equal(sub.state, "ended");
    assert.equal(sub.ended, true);
    sub.replay(event(1), frameOf(1));
    deliver(sub, 2);
    assert.deepEqual(owner.sent, []);
  });

  it("live → ended: stops delivery at once", () => {
    const { owner, sub } = setup();
    sub.goLive();
    deliver(sub, 1);
    sub.end();
    deliver(sub, 2);
    assert.equal(sub.state, "ended");
    assert.deepEqual(owner.sent, [1]);
  });

  it("ending an ended subscription does nothing (close and unsubscribe may both end it)", () => {
    const { sub } = setup();
    sub.end();
    assert.doesNotThrow(() => sub.end());
    assert.equal(sub.state, "ended");
  });

  it("throws on an illegal move and keeps its state: live → live, ended → live", () => {
    const { sub } = setup();
    sub.goLive();
    assert.throws(() => sub.goLive(), { name: "IllegalTransitionError", message: /live -> live/ });
    assert.equal(sub.state, "live");
    const other = setup().sub;
    other.end();
    assert.throws(() => other.goLive(), { name: "IllegalTransitionError", message: /ended -> live/ });
    assert.equal(other.state, "ended");
  });

  it("has no setter for its state", () => {
    const { sub } = setup();
    // @ts-expect-error -- the state changes only through goLive and end
    assert.throws(() => (sub.state = "live"), TypeError);
    assert.equal(sub.state, "resuming");
  });

  it("tells its owner when live events buffered while resuming pass the limit", () => {
    const { owner, sub } = setup(frameOf(1).size * 2);
    deliver(sub, 1);
    deliver(sub, 2);
    assert.equal(owner.overflows, 0);
    deliver(sub, 3);
    assert.equal(owner.overflows, 1);
  });
});
