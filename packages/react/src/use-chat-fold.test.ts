import assert from "node:assert/strict";
import { test } from "node:test";
import { ChatFold, foldRoom, type RoomEvent } from "@parley/client";
import { syncFold } from "./use-chat-fold.js";

const ev = (seq: number): RoomEvent => ({
  room: "r",
  seq,
  id: `e${seq}`,
  from: "ann",
  ts: seq,
  kind: seq % 4 === 0 ? "reaction" : "message",
  body: seq % 4 === 0 ? { target: seq - 1, emoji: "👍", op: "add" } : { text: `m${seq}` },
  cmid: `c${seq}`,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => ev(from + i));

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
