import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { OutboxEntry, RoomEvent } from "@parley/client";
import { buildMessages, findHoles, mergeEvents } from "./merge.js";
import type { TrackedMessage } from "./outbox-tracker.js";

const ev = (seq: number, from = "bob", cmid = `c${seq}`): RoomEvent => ({
  room: "r",
  seq,
  id: `e${seq}`,
  from,
  ts: 1000 + seq,
  kind: "message",
  body: { text: `m${seq}` },
  cmid,
});
const seqs = (events: RoomEvent[]) => events.map((e) => e.seq);
const entry = (cmid: string, order: number, room = "r"): OutboxEntry => ({
  cmid,
  room,
  order,
  body: { text: cmid },
  createdAt: 500,
});

describe("mergeEvents", () => {
  it("appends a live event after the newest", () => {
    assert.deepEqual(seqs(mergeEvents([ev(1), ev(2)], [ev(3)])), [1, 2, 3]);
  });
  it("drops duplicates from overlapping history pages and replays", () => {
    const merged = mergeEvents([ev(3), ev(4), ev(5)], [ev(1), ev(2), ev(3), ev(4)]);
    assert.deepEqual(seqs(merged), [1, 2, 3, 4, 5]);
    assert.deepEqual(seqs(mergeEvents(merged, [ev(5)])), [1, 2, 3, 4, 5]);
  });
  it("keeps the first copy of a seq", () => {
    const first = ev(2);
    assert.equal(mergeEvents([first], [{ ...ev(2), body: "other" }])[0], first);
  });
  it("sorts out-of-order input and leaves the inputs alone", () => {
    const a = [ev(5)];
    assert.deepEqual(seqs(mergeEvents(a, [ev(7), ev(6), ev(4)])), [4, 5, 6, 7]);
    assert.deepEqual(seqs(a), [5]);
  });
  it("returns the same array when there is nothing new", () => {
    const a = [ev(1)];
    assert.equal(mergeEvents(a, []), a);
  });
  it("any interleaving of pages and live events gives the same contiguous list", () => {
    const all = Array.from({ length: 30 }, (_, i) => ev(i + 1));
    const chunks = [all.slice(20), all.slice(10, 25), all.slice(0, 12), [all[29]!], all.slice(5, 6)];
    for (let rot = 0; rot < chunks.length; rot++) {
      const order = chunks.slice(rot).concat(chunks.slice(0, rot));
      const merged = order.reduce<RoomEvent[]>((acc, c) => mergeEvents(acc, c), []);
      assert.deepEqual(seqs(merged), seqs(all));
      assert.deepEqual(findHoles(merged), []);
    }
  });
});

describe("findHoles", () => {
  it("finds each missing range between loaded events", () => {
    assert.deepEqual(findHoles([ev(1), ev(2), ev(5), ev(6), ev(9)]), [
      { after: 2, until: 5 },
      { after: 6, until: 9 },
    ]);
  });
  it("has none for empty, single and contiguous lists", () => {
    assert.deepEqual(findHoles([]), []);
    assert.deepEqual(findHoles([ev(4)]), []);
    assert.deepEqual(findHoles([ev(4), ev(5)]), []);
  });
});

describe("buildMessages", () => {
  const queued = (cmid: string, order: number, room = "r"): TrackedMessage => ({
    entry: entry(cmid, order, room),
    status: "queued",
  });
  it("lists confirmed events, then own pending messages in outbox order", () => {
    const rows = buildMessages([ev(1), ev(2, "me", "x")], [queued("y", 2), queued("x", 1)], {
      room: "r",
      me: "me",
      connected: true,
      now: 600,
    });
    assert.deepEqual(
      rows.map((r) => [r.seq, r.from, r.cmid, r.state]),
      [
        [1, "bob", "c1", "sent"],
        [2, "me", "x", "sent"],
        [undefined, "me", "y", "sending"],
      ],
    );
  });
  it("keeps a pending row's key when the stream confirms it", () => {
    const pending = buildMessages([], [queued("x", 1)], { room: "r", me: "me", connected: true, now: 600 });
    const confirmed = buildMessages([ev(1, "me", "x")], [queued("x", 1)], { room: "r", me: "me", connected: true });
    assert.equal(pending[0]!.key, confirmed[0]!.key);
    assert.equal(confirmed.length, 1);
  });
  it("ignores other rooms and another user's event with the same cmid", () => {
    const rows = buildMessages([ev(1, "bob", "x")], [queued("x", 1), queued("z", 2, "other")], {
      room: "r",
      me: "me",
      connected: true,
      now: 600,
    });
    assert.deepEqual(
      rows.map((r) => [r.from, r.cmid]),
      [
        ["bob", "x"],
        ["me", "x"],
      ],
    );
  });
  it("shows retrying while offline or slow, sent once acked, failed with its reason", () => {
    const acked: TrackedMessage = {
      ...queued("a", 1),
      status: "acked",
      ack: { room: "r", cmid: "a", seq: 7, ts: 9, dup: false },
    };
    const failed: TrackedMessage = { ...queued("f", 2), status: "failed", error: "FORBIDDEN" };
    const state = (connected: boolean, now: number) =>
      buildMessages([], [acked, failed, queued("q", 3)], { room: "r", me: "me", connected, now }).map((r) => r.state);
    assert.deepEqual(state(true, 600), ["sent", "failed", "sending"]);
    assert.deepEqual(state(false, 600), ["sent", "failed", "retrying"]);
    assert.deepEqual(state(true, 60_000), ["sent", "failed", "retrying"]);
    const rows = buildMessages([], [acked, failed], { room: "r", me: "me", connected: true });
    assert.equal(rows[0]!.seq, 7);
    assert.equal(rows[1]!.error, "FORBIDDEN");
  });
});

describe("buildMessages over the chat fold", () => {
  const chat = (seq: number, from: string, kind: string, body: RoomEvent["body"]): RoomEvent => ({
    ...ev(seq, from),
    kind,
    body,
  });
  const events = [
    ev(1),
    chat(2, "bob", "edit", { target: 1, text: "m1!" }),
    chat(3, "me", "message", { text: "re", replyTo: 1 }),
    chat(4, "me", "reaction", { target: 1, emoji: "👍", op: "add" }),
    ev(5),
    chat(6, "bob", "delete", { target: 5 }),
    chat(7, "me", "receipt", { upTo: 6 }),
  ];
  const pendingReply: TrackedMessage = {
    entry: { ...entry("p", 1), body: { text: "later", replyTo: 1 } },
    status: "queued",
  };
  const pendingEdit: TrackedMessage = {
    entry: { ...entry("q", 2), kind: "edit", body: { target: 1, text: "x" } },
    status: "queued",
  };

  it("the main list has folded messages only: no replies, edits, reactions or receipts", () => {
    const rows = buildMessages(events, [pendingReply, pendingEdit], { room: "r", me: "me", connected: true, now: 600 });
    assert.deepEqual(
      rows.map((r) => [r.seq, r.view.text, r.view.deleted, r.view.replies, r.view.reactions.length]),
      [
        [1, "m1!", false, [3], 1],
        [5, undefined, true, [], 0],
      ],
    );
  });
  it("a thread lists its replies, then own replies on their way", () => {
    const rows = buildMessages(
      events,
      [pendingReply, pendingEdit],
      { room: "r", me: "me", connected: true, now: 600 },
      { thread: 1 },
    );
    assert.deepEqual(
      rows.map((r) => [r.seq, r.view.text, r.state]),
      [
        [3, "re", "sent"],
        [undefined, "later", "sending"],
      ],
    );
  });
});
