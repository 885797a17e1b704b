import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatFold, foldRoom, type RoomEvent } from "@parley/client";
import { eventAt, eventRange } from "./test-support/events.js";
import { syncFold } from "./use-chat-fold.js";

const ev = (seq: number): RoomEvent =>
  seq % 4 === 0 ? eventAt(seq, "reaction", { target: seq - 1, emoji: "👍", op: "add" }) : eventAt(seq);
const range = (from: number, to: number) => eventRange(from, to, ev);

test("syncFold adds live events, an older page and a filled hole, ending equal to the fold from scratch", () => {
  const fold = new ChatFold("bob");
  const steps = [
    range(51, 100),
    range(51, 101),
    [...range(1, 50), ...range(51, 101)],
    [...range(1, 101), ...range(120, 130)],
  ];
  steps.push(range(1, 130));
  for (const events of steps) {
    syncFold(fold, events);
    assert.equal(fold.size, events.length);
    assert.deepEqual(fold.fold.messages, foldRoom(events, "bob").messages);
  }
});
