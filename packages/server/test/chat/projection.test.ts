import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Json, RoomEvent } from "@parley/protocol";
import { highestReceipts, latestEdits, projectEvents, targetColumn } from "#server/chat/projection.js";
import { applyDeleteInPlace, deletedTargets, withTombstones } from "#server/chat/tombstones.js";

let seq = 0;
function ev(kind: string, body: Json, from = "ann"): RoomEvent {
  seq++;
  return { room: "r", seq, id: `e${seq}`, from, ts: 100 + seq, kind, body, cmid: `c${seq}` };
}

describe("chat projection (pure)", () => {
  it("derives message rows, mentions of others, edits, deletes and receipts", () => {
    seq = 0;
    const p = projectEvents([
      ev("message", { text: "hi @bob and @ann, mail x@y.z" }),
      ev("message", { payload: 1 }),
      ev("edit", { target: 1, text: "hello @carl" }),
      ev("delete", { target: 1 }),
      ev("receipt", { upTo: 3 }, "bob"),
      ev("reaction", { target: 1, emoji: "👍", op: "add" }),
      ev("edit", null),
      ev("app.kind", { target: 1 }),
    ]);
    assert.deepEqual(p.messages, [["r", 1, "ann", 101, "hi @bob and @ann, mail x@y.z"]]);
    assert.deepEqual(p.mentions, [["bob", "r", 1]]);
    assert.deepEqual(p.edits, [["r", 1, 3, "ann", "hello @carl"]]);
    assert.deepEqual(p.deletes, [["r", 1]]);
    assert.deepEqual(p.receipts, [["r", "bob", 3]]);
  });

  it("targetColumn: targets of edits, deletes, reactions and replies only", () => {
    assert.equal(targetColumn({ kind: "edit", body: { target: 4, text: "x" } }), 4);
    assert.equal(targetColumn({ kind: "message", body: { text: "x", replyTo: 2 } }), 2);
    assert.equal(targetColumn({ kind: "message", body: { text: "x" } }), null);
    assert.equal(targetColumn({ kind: "delete", body: { target: "1" } }), null);
    assert.equal(targetColumn({ kind: "receipt", body: { upTo: 3 } }), null);
  });

  it("reduces edits per (room, target, editor) and receipts per (room, user) to the newest", () => {
    assert.deepEqual(
      latestEdits([
        ["r", 1, 2, "ann", "a"],
        ["r", 1, 5, "ann", "b"],
        ["r", 1, 4, "bob", "c"],
        ["r", 1, 3, "ann", "d"],
      ]),
      [
        ["r", 1, 5, "ann", "b"],
        ["r", 1, 4, "bob", "c"],
      ],
    );
    assert.deepEqual(
      highestReceipts([
        ["r", "ann", 3],
        ["r", "ann", 2],
        ["q", "ann", 1],
      ]),
      [
        ["r", "ann", 3],
        ["q", "ann", 1],
      ],
    );
  });

  it("in memory: a delete tombstones its message and edits, and a later edit of it", () => {
    seq = 0;
    const list: RoomEvent[] = [];
    const push = (e: RoomEvent) => {
      list.push(e);
      applyDeleteInPlace(list, e);
    };
    const original = ev("message", { text: "x" });
    push(original);
    push(ev("edit", { target: 1, text: "y" }));
    push(ev("message", { text: "z" }));
    push(ev("delete", { target: 1 }));
    push(ev("edit", { target: 1, text: "late" }));
    assert.deepEqual(
      list.map((e) => e.body),
      [{ deleted: true }, { deleted: true }, { text: "z" }, { target: 1 }, { deleted: true }],
    );
    assert.deepEqual(original.body, { text: "x" }, "held objects are replaced, not mutated");
    assert.deepEqual([...deletedTargets(list)], [1]);
    const older = [ev("message", { text: "old" })];
    assert.deepEqual(withTombstones(older, new Set([older[0]!.seq]))[0]!.body, { deleted: true });
  });
});
