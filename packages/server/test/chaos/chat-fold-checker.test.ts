import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { checkChatFold, removedSeqs } from "./chat-fold-checker.js";
import type { PublishRecord, RoomHistory, SeenEvent, ViolationKind } from "./history.js";

function ev(seq: number, kind: string, body: unknown): SeenEvent {
  return { seq, cmid: `c${seq}`, id: `i${seq}`, kind, body };
}

function acked(e: SeenEvent, body: unknown = e.body): PublishRecord {
  return { client: "a", room: "r", cmid: e.cmid, kind: e.kind, body, acks: [e.seq] };
}

function check(events: SeenEvent[], publishes: PublishRecord[]): ViolationKind[] {
  const kinds: ViolationKind[] = [];
  const room: RoomHistory = { room: "r", epoch: "e", events };
  checkChatFold(room, new Map(publishes.map((p) => [p.cmid, p])), { add: (kind) => kinds.push(kind) });
  return kinds;
}

const TOMB = { deleted: true };

describe("chat fold checker", () => {
  it("removes a deleted message and its edits (before or after the delete), nothing else", () => {
    const events = [
      ev(1, "message", { text: "a" }),
      ev(2, "edit", { target: 1, text: "b" }),
      ev(3, "delete", { target: 1 }),
      ev(4, "edit", { target: 1, text: "c" }),
      ev(5, "delete", { target: 3 }),
      ev(6, "reaction", { target: 1, emoji: "👍", op: "add" }),
    ];
    assert.deepEqual([...removedSeqs(events)].sort(), [1, 2, 4]);
  });

  it("accepts a history that agrees with the fold", () => {
    const sent = [
      ev(1, "message", { text: "a" }),
      ev(2, "edit", { target: 1, text: "b" }),
      ev(3, "delete", { target: 1 }),
    ];
    const stored = [ev(1, "message", TOMB), ev(2, "edit", TOMB), sent[2]!];
    assert.deepEqual(
      check(
        stored,
        sent.map((e) => acked(e)),
      ),
      [],
    );
  });

  it("flags a deleted message or edit that still has its text, and a tombstone without a delete", () => {
    const edit = ev(2, "edit", { target: 1, text: "b" });
    const stored = [
      ev(1, "message", { text: "a" }),
      ev(2, "edit", TOMB),
      ev(3, "delete", { target: 1 }),
      ev(4, "message", TOMB),
    ];
    assert.deepEqual(check(stored, [{ ...acked(edit), acks: [] }]), ["tombstone-missing", "unexpected-tombstone"]);
  });

  it("flags an acked edit that is not stored as sent, or under another kind", () => {
    const stored = [ev(1, "message", { text: "a" }), ev(2, "edit", { target: 1, text: "lost" })];
    assert.deepEqual(check(stored, [acked(stored[1]!, { target: 1, text: "sent" })]), ["stored-body-mismatch"]);
    const asMessage = { ...acked(stored[1]!), kind: "message" };
    assert.deepEqual(check(stored, [asMessage]), ["stored-kind-mismatch"]);
  });

  it("skips histories without bodies (deliveries-only, hand-made)", () => {
    assert.deepEqual(check([{ seq: 1, cmid: "c1", id: "i1" }], []), []);
  });
});
