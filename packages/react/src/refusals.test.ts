import assert from "node:assert/strict";
import { test } from "node:test";
import type { Json, RoomEvent } from "@parley/client";
import { buildMessages } from "./merge.js";
import type { TrackedMessage } from "./outbox-tracker.js";
import { refusalsOf } from "./refusals.js";

const message: RoomEvent = {
  room: "r",
  seq: 1,
  id: "e1",
  from: "ann",
  ts: 1,
  kind: "message",
  body: { text: "hello" },
  cmid: "m1",
};
/** A refused change; spread it with another `status` for one still on its way. */
const tracked = (cmid: string, kind: string, body: Json, code?: string): TrackedMessage => ({
  entry: { cmid, room: "r", order: Number(cmid.slice(1)), kind: kind as "edit", body, createdAt: 5 },
  status: "failed",
  error: "server said no",
  ...(code ? { code } : {}),
});

test("refused edits, deletes and reactions become refusals with a short reason; others do not", () => {
  const all: TrackedMessage[] = [
    tracked("c1", "edit", { target: 1, text: "x" }, "NOT_AUTHOR"),
    tracked("c2", "delete", { target: 1 }, "FORBIDDEN"),
    tracked("c3", "reaction", { target: 1, emoji: "👍", op: "add" }, "TARGET_NOT_FOUND"),
    tracked("c4", "reaction", { target: 1, emoji: "👍", op: "remove" }, "BAD_EVENT"),
    tracked("c5", "edit", { target: 1, text: "y" }, "SOMETHING_NEW"),
    { ...tracked("c6", "edit", { target: 1, text: "z" }), status: "queued" },
    tracked("c7", "receipt", { upTo: 1 }, "FORBIDDEN"),
    tracked("c8", "message", { text: "m" }, "FORBIDDEN"),
  ];
  assert.deepEqual(
    refusalsOf(all, "r").map((r) => [r.cmid, r.target, r.kind, r.code, r.text]),
    [
      ["c1", 1, "edit", "NOT_AUTHOR", "Couldn't edit: only the author can edit"],
      ["c2", 1, "delete", "FORBIDDEN", "Couldn't delete: you may not delete messages in this room"],
      ["c3", 1, "reaction", "TARGET_NOT_FOUND", "Couldn't react: the message is gone"],
      ["c4", 1, "reaction", "BAD_EVENT", "Couldn't remove the reaction: the server could not accept this change"],
      ["c5", 1, "edit", "SOMETHING_NEW", "Couldn't edit: server said no"],
    ],
  );
  assert.deepEqual(refusalsOf(all, "other"), []);
});

test("a refusal rides on the row of its target, which keeps its confirmed text", () => {
  const refused = [tracked("c1", "edit", { target: 1, text: "hacked" }, "NOT_AUTHOR")];
  const rows = buildMessages([message], refused, { room: "r", me: "bob", connected: true });
  assert.equal(rows.length, 1);
  assert.equal(rows[0]!.view.text, "hello");
  assert.deepEqual(
    rows[0]!.refusals?.map((r) => r.text),
    ["Couldn't edit: only the author can edit"],
  );
  assert.equal(buildMessages([message], [], { room: "r", me: "bob", connected: true })[0]!.refusals, undefined);
});
