/** The history checker on hand-made good and bad histories: one test per violation kind. */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { checkHistory } from "./history-checker.js";
import type { ChaosHistory, PublishRecord, SeenEvent, SubscriptionRecord, ViolationKind } from "./history.js";

const ev = (seq: number, cmid = `c${seq}`): SeenEvent => ({ seq, cmid, id: `e-${cmid}` });
const pub = (cmid: string, acks: number[], room = "r"): PublishRecord => ({ client: "p", room, cmid, acks });
const sub = (events: SeenEvent[], over: Partial<SubscriptionRecord> = {}): SubscriptionRecord => ({
  client: "s",
  room: "r",
  startAfter: 0,
  mayRead: true,
  stayed: true,
  events,
  epochs: ["E"],
  notRecovered: 0,
  ...over,
});

/** A good run: three acked messages, two subscribers who saw all of them, history 1..3. */
function good(): ChaosHistory {
  return {
    publishes: [pub("c1", [1]), pub("c2", [2, 2]), pub("c3", [3])],
    subscriptions: [sub([ev(1), ev(2), ev(3)]), sub([ev(2), ev(3)], { client: "late", startAfter: 1 })],
    rooms: [{ room: "r", epoch: "E", events: [ev(1), ev(2), ev(3)] }],
  };
}

function kinds(history: ChaosHistory): ViolationKind[] {
  return [...new Set(checkHistory(history).violations.map((v) => v.kind))].sort();
}

describe("history checker", () => {
  test("a good history passes, with its counts", () => {
    const result = checkHistory(good());
    assert.deepEqual(result.violations, []);
    assert.equal(result.ok, true);
    assert.equal(result.counts.ackedMessages, 3);
    assert.equal(result.counts.deliveries, 5);
    assert.equal(result.counts.historyEvents, 3);
  });

  test("unacked publishes, refused publishes and leavers' partial views are fine", () => {
    const h = good();
    const publishes = [...h.publishes, pub("never-acked", []), { ...pub("refused", []), error: "FORBIDDEN" }];
    const leaver = sub([ev(1)], { client: "leaver", stayed: false });
    const result = checkHistory({ ...h, publishes, subscriptions: [...h.subscriptions, leaver] });
    assert.equal(result.ok, true, JSON.stringify(result.violations));
    assert.equal(result.counts.refusedPublishes, 1);
  });

  test("an acked message missing from history", () => {
    const h = good();
    assert.deepEqual(kinds({ ...h, publishes: [...h.publishes, pub("c4", [4])] }), [
      "acked-not-delivered",
      "acked-not-in-history",
    ]);
  });

  test("an acked seq that holds another message", () => {
    const h = good();
    assert.deepEqual(kinds({ ...h, publishes: [pub("c1", [2]), ...h.publishes.slice(1)] }), ["acked-seq-mismatch"]);
  });

  test("a retry acked with a different seq", () => {
    const h = good();
    assert.deepEqual(kinds({ ...h, publishes: [pub("c1", [1, 4]), ...h.publishes.slice(1)] }), ["ack-seq-changed"]);
  });

  test("a gap or a duplicate cmid in the stored history", () => {
    const h = good();
    const gap = { ...h, rooms: [{ room: "r", epoch: "E", events: [ev(1), ev(2), ev(3), ev(5, "c5")] }] };
    assert.deepEqual(kinds(gap), ["history-gap"]);
    const dup = { ...h, rooms: [{ room: "r", epoch: "E", events: [ev(1), ev(2), ev(3), ev(4, "c1")] }] };
    assert.deepEqual(kinds(dup), ["history-duplicate-cmid"]);
  });

  test("a subscriber that stayed but missed an acked message", () => {
    const h = good();
    const result = checkHistory({ ...h, subscriptions: [sub([ev(1), ev(3)])] });
    assert.deepEqual([...new Set(result.violations.map((v) => v.kind))].sort(), [
      "acked-not-delivered",
      "delivery-gap",
    ]);
    assert.match(result.violations.find((v) => v.kind === "acked-not-delivered")!.detail, /seq 2/);
  });

  test("the same event delivered twice to one subscription (e.g. across a resume)", () => {
    assert.deepEqual(kinds({ ...good(), subscriptions: [sub([ev(1), ev(2), ev(2), ev(3)])] }), ["duplicate-delivery"]);
  });

  test("events out of order", () => {
    assert.deepEqual(kinds({ ...good(), subscriptions: [sub([ev(1), ev(3), ev(2)])] }), ["delivery-gap"]);
  });

  test("two subscribers who saw different events at one seq", () => {
    const other = sub([ev(1), ev(2, "c3"), ev(3, "c2")], { client: "other" });
    assert.deepEqual(kinds({ ...good(), subscriptions: [sub([ev(1), ev(2), ev(3)]), other] }), ["delivery-mismatch"]);
  });

  test("an event from a room the subscriber may not read", () => {
    const h = good();
    const eve = sub([ev(1)], { client: "eve", mayRead: false, stayed: false });
    assert.deepEqual(kinds({ ...h, subscriptions: [...h.subscriptions, eve] }), ["unauthorized-read"]);
    const quiet = sub([], { client: "eve", mayRead: false, stayed: false });
    assert.equal(checkHistory({ ...h, subscriptions: [...h.subscriptions, quiet] }).ok, true);
  });

  test("a publish refused as FORBIDDEN that was stored anyway", () => {
    const h = good();
    const refused = { ...pub("c3", []), error: "FORBIDDEN" };
    assert.deepEqual(kinds({ ...h, publishes: [...h.publishes, refused] }), ["unauthorized-write"]);
    const elsewhere = { ...pub("c9", []), error: "FORBIDDEN" };
    assert.equal(checkHistory({ ...h, publishes: [...h.publishes, elsewhere] }).ok, true);
  });

  test("an epoch change or an incomplete resume", () => {
    const h = good();
    assert.deepEqual(kinds({ ...h, subscriptions: [sub([ev(1), ev(2), ev(3)], { epochs: ["E", "F"] })] }), [
      "epoch-changed",
    ]);
    assert.deepEqual(kinds({ ...h, subscriptions: [sub([ev(1), ev(2), ev(3)], { notRecovered: 1 })] }), [
      "not-recovered",
    ]);
  });

  test("a publisher that promises its order, swapped in the room", () => {
    const h = good();
    const ordered = (p: PublishRecord): PublishRecord => ({ ...p, fifo: true });
    // Published c1, c3, c2 (in that order), sequenced 1, 3, 2: c2 overtook c3.
    const swapped = [pub("c1", [1]), pub("c3", [3]), pub("c2", [2, 2])];
    assert.deepEqual(kinds({ ...h, publishes: swapped }), [], "no promise, no violation");
    const result = checkHistory({ ...h, publishes: swapped.map(ordered) });
    assert.deepEqual(
      result.violations.map((v) => [v.kind, v.detail]),
      [["publisher-order", "p's c2 (seq 2) was sequenced before its earlier c3 (seq 3)"]],
    );
    assert.equal(result.counts.orderedPublishes, 3);
    // Other publishers and other rooms interleave freely; unacked and refused publishes are skipped.
    const interleaved = [
      ordered({ ...pub("c3", [3]), client: "q" }),
      ordered(pub("c1", [1])),
      ordered(pub("never-acked", [])),
      ordered({ ...pub("x", [], "elsewhere"), error: "TARGET_NOT_FOUND" }),
      ordered(pub("c2", [2])),
    ];
    assert.deepEqual(kinds({ ...h, publishes: interleaved }), []);
  });

  test("the reported list is capped, the count is not", () => {
    const events = Array.from({ length: 500 }, () => ev(1));
    const result = checkHistory({ ...good(), subscriptions: [sub(events)] });
    assert.equal(result.violationCount, 499 + 2);
    assert.equal(result.violations.length, 200);
  });
});
