import assert from "node:assert/strict";
import { test } from "node:test";
import type { SubscribedFrame } from "@parley/protocol";
import { SubscriptionTracker } from "./subscription.js";

function subscribed(lastSeq: number, recovered = true, epoch = "e1"): SubscribedFrame {
  return { t: "subscribed", id: 1, room: "r", epoch, lastSeq, recovered };
}

test("a fresh subscription starts at the server's head", () => {
  const tracker = new SubscriptionTracker("r");
  assert.deepEqual(tracker.begin(), {});
  const info = tracker.onSubscribed(subscribed(7));
  assert.deepEqual(info, {
    room: "r",
    epoch: "e1",
    lastSeq: 7,
    headSeq: 7,
    recovered: true,
    resumed: false,
    epochChanged: false,
  });
  assert.equal(tracker.classify({ seq: 8 }), "deliver");
  assert.equal(tracker.lastSeq, 8);
});

test("drops events at or below lastSeq", () => {
  const tracker = new SubscriptionTracker("r", 0);
  tracker.begin();
  tracker.onSubscribed(subscribed(3));
  assert.deepEqual(
    [1, 2, 2, 1, 3, 3].map((seq) => tracker.classify({ seq })),
    ["deliver", "deliver", "duplicate", "duplicate", "deliver", "duplicate"],
  );
  assert.equal(tracker.lastSeq, 3);
});

test("reports a gap and does not advance past it", () => {
  const tracker = new SubscriptionTracker("r");
  tracker.begin();
  tracker.onSubscribed(subscribed(5));
  assert.equal(tracker.classify({ seq: 8 }), "gap");
  assert.equal(tracker.lastSeq, 5);
  assert.equal(tracker.classify({ seq: 6 }), "deliver");
});

test("resumes with since=lastSeq and the known epoch", () => {
  const tracker = new SubscriptionTracker("r");
  tracker.begin();
  tracker.onSubscribed(subscribed(5));
  tracker.classify({ seq: 6 });
  tracker.reset();
  assert.equal(tracker.classify({ seq: 7 }), "ignored");
  assert.deepEqual(tracker.begin(), { since: 6, epoch: "e1" });
  const info = tracker.onSubscribed(subscribed(9));
  assert.equal(info.recovered, true);
  assert.equal(info.resumed, true);
  assert.equal(tracker.lastSeq, 6, "replay will fill 7..9");
  assert.equal(tracker.classify({ seq: 7 }), "deliver");
});

test("an inexact resume rebases on the first event the server sends, then dedupes again", () => {
  const tracker = new SubscriptionTracker("r", 40, "e1");
  tracker.begin();
  const info = tracker.onSubscribed(subscribed(3, false, "e2"));
  assert.deepEqual([info.recovered, info.epochChanged, info.headSeq], [false, true, 3]);
  assert.equal(tracker.epoch, "e2");
  // The server replays the new epoch from its start.
  assert.deepEqual(
    [1, 2, 2, 3, 4].map((seq) => tracker.classify({ seq })),
    ["deliver", "deliver", "duplicate", "deliver", "deliver"],
  );
  assert.deepEqual(tracker.begin(), { since: 4, epoch: "e2" });
});

test("an inexact resume with nothing to replay rebases on the next live event", () => {
  const tracker = new SubscriptionTracker("r", 10, "e1");
  tracker.begin();
  tracker.onSubscribed(subscribed(0, false, "e2"));
  assert.equal(tracker.classify({ seq: 1 }), "deliver");
  assert.equal(tracker.lastSeq, 1);
});

test("a changed epoch is never reported as recovered", () => {
  const tracker = new SubscriptionTracker("r", 2, "e1");
  tracker.begin();
  assert.equal(tracker.onSubscribed(subscribed(2, true, "e9")).recovered, false);
});

test("events while unsubscribed are ignored", () => {
  const tracker = new SubscriptionTracker("r", 0);
  assert.equal(tracker.classify({ seq: 1 }), "ignored");
});

test("states: unsubscribed → subscribing → subscribed → subscribing → subscribed → unsubscribed", () => {
  const tracker = new SubscriptionTracker("r");
  assert.equal(tracker.state, "unsubscribed");
  tracker.begin();
  assert.equal(tracker.state, "subscribing");
  tracker.onSubscribed(subscribed(1));
  assert.equal(tracker.state, "subscribed");
  tracker.begin(); // a gap: re-subscribe from our position
  assert.equal(tracker.state, "subscribing");
  tracker.onSubscribed(subscribed(1));
  assert.equal(tracker.state, "subscribed");
  tracker.reset();
  assert.equal(tracker.state, "unsubscribed");
});

test("states: subscribing → unsubscribed (a refused or cancelled sub)", () => {
  const tracker = new SubscriptionTracker("r");
  tracker.begin();
  tracker.reset();
  assert.equal(tracker.state, "unsubscribed");
  assert.deepEqual(tracker.begin(), {}, "no position was learnt");
});

test("entering the current state again is a no-op: a re-sent sub, a late second subscribed, a second reset", () => {
  const tracker = new SubscriptionTracker("r");
  tracker.reset();
  assert.equal(tracker.state, "unsubscribed");
  tracker.begin();
  tracker.begin();
  assert.equal(tracker.state, "subscribing");
  tracker.onSubscribed(subscribed(4));
  tracker.classify({ seq: 5 });
  tracker.onSubscribed(subscribed(5));
  assert.equal(tracker.state, "subscribed");
  assert.equal(tracker.lastSeq, 5);
});

test("an answer while unsubscribed is an illegal move: it throws and changes nothing", () => {
  const tracker = new SubscriptionTracker("r", 3, "e1");
  assert.throws(
    () => tracker.onSubscribed(subscribed(9, true, "e2")),
    /illegal subscription transition unsubscribed -> subscribed/,
  );
  assert.deepEqual([tracker.state, tracker.lastSeq, tracker.epoch], ["unsubscribed", 3, "e1"]);
});

test("the state has no setter", () => {
  const tracker = new SubscriptionTracker("r");
  // @ts-expect-error -- state changes only through begin, onSubscribed and reset
  assert.throws(() => (tracker.state = "subscribed"), TypeError);
  assert.equal(tracker.state, "unsubscribed");
});
