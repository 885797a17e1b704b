import assert from "node:assert/strict";
import { test } from "node:test";
import { foldRoom, type Json, type RoomEvent } from "@parley/client";
import type { TrackedMessage } from "./outbox-tracker.js";
import { pendingChanges } from "./pending-changes.js";

const message: RoomEvent = {
  room: "r",
  seq: 1,
  id: "e1",
  from: "me",
  ts: 1,
  kind: "message",
  body: { text: "helo" },
  cmid: "m1",
};
/** A queued change; spread it with another `status` for one further along. */
const change = (cmid: string, order: number, kind: string, body: Json): TrackedMessage => ({
  entry: { cmid, room: "r", order, kind, body, createdAt: 5 },
  status: "queued",
});

test("own edits and reactions on their way show at once, in outbox order; confirmed and refused ones do not", () => {
  const tracked: TrackedMessage[] = [
    change("e2", 2, "edit", { target: 1, text: "hello again" }),
    { ...change("e1", 1, "edit", { target: 1, text: "hello" }), status: "acked" },
    change("r1", 3, "reaction", { target: 1, emoji: "👍", op: "add" }),
    { ...change("x", 4, "reaction", { target: 1, emoji: "🎉", op: "add" }), status: "failed" },
    change("done", 5, "reaction", { target: 1, emoji: "👀", op: "add" }),
    change("msg", 6, "message", { text: "a new message is a row, not a change" }),
    {
      ...change("other", 7, "edit", { target: 1, text: "other room" }),
      entry: { ...change("o", 7, "edit", {}).entry, room: "s" },
    },
  ];
  const pending = pendingChanges(tracked, "r", "me", new Set(["done"]));
  assert.deepEqual(
    pending.map((e) => e.cmid),
    ["e1", "e2", "r1"],
  );
  const view = foldRoom([message, ...pending], "me").bySeq.get(1)!;
  assert.deepEqual([view.text, view.edited, view.reactions], ["hello again", true, [{ emoji: "👍", users: ["me"] }]]);
});

test("a pending delete makes the message a tombstone before the server confirms it", () => {
  const pending = pendingChanges([change("d", 1, "delete", { target: 1 })], "r", "me", new Set());
  assert.equal(foldRoom([message, ...pending], "me").bySeq.get(1)!.deleted, true);
});
