import assert from "node:assert/strict";
import { test } from "node:test";
import type { Json, RoomEvent, UnreadRoom } from "@parley/client";
import { applyLive, fromInbox, fromServer } from "./unread-counts.js";
import { sortedRooms } from "./use-rooms.js";

const ev = (seq: number, from: string, kind: string, body: Json): RoomEvent => ({
  room: "r",
  seq,
  id: `e${seq}`,
  from,
  ts: seq,
  kind,
  body,
  cmid: `c${seq}`,
});
const start = (r: Partial<UnreadRoom> = {}) =>
  fromServer([{ room: "r", lastRead: 3, lastSeq: 5, unread: 2, mentions: 0, ...r }]);

test("others' new messages count up, mentions of me too; own and already counted ones do not", () => {
  let rooms = start();
  for (const e of [
    ev(5, "bob", "message", { text: "counted already" }),
    ev(6, "bob", "message", { text: "hi @me." }),
    ev(7, "me", "message", { text: "mine" }),
    ev(8, "bob", "reaction", { target: 6, emoji: "👍", op: "add" }),
    ev(9, "bob", "message", { deleted: true }),
    ev(10, "bob", "message", { text: "x" }),
  ]) {
    const out = applyLive(rooms, e, "me");
    assert.equal(out.refresh, false);
    rooms = out.rooms;
  }
  assert.deepEqual(rooms.get("r"), { room: "r", lastRead: 3, lastSeq: 10, unread: 4, mentions: 1 });
});

test("an own receipt (any device) covering the head clears; one that reads part of the room asks for exact counts", () => {
  const all = applyLive(start(), ev(6, "me", "receipt", { upTo: 5 }), "me");
  assert.deepEqual([all.rooms.get("r")!.unread, all.rooms.get("r")!.lastRead, all.refresh], [0, 5, false]);
  const part = applyLive(start(), ev(6, "me", "receipt", { upTo: 4 }), "me");
  assert.equal(part.refresh, true);
  const others = applyLive(start(), ev(6, "bob", "receipt", { upTo: 5 }), "me");
  assert.deepEqual([others.rooms.get("r")!.unread, others.refresh], [2, false]);
});

test("a delete or a message in an unknown room asks for exact counts", () => {
  assert.equal(applyLive(start(), ev(6, "bob", "delete", { target: 4 }), "me").refresh, true);
  assert.equal(
    applyLive(start(), { ...ev(1, "bob", "message", { text: "dm" }), room: "dm:bob:me" }, "me").refresh,
    true,
  );
});

test("fromInbox: the inbox's rooms as the counts useUnread returns", () => {
  const inbox = new Map([
    ["b", { id: "b", type: "public" as const, name: "B", lastSeq: 9, lastReadSeq: 4, unread: 3, mentions: 1 }],
    ["dm:a:b", { id: "dm:a:b", type: "dm" as const, name: "", lastSeq: 1, lastReadSeq: 0, unread: 1, mentions: 0 }],
  ]);
  assert.deepEqual(
    [...fromInbox(inbox).values()],
    [
      { room: "b", lastRead: 4, lastSeq: 9, unread: 3, mentions: 1 },
      { room: "dm:a:b", lastRead: 0, lastSeq: 1, unread: 1, mentions: 0 },
    ],
  );
  assert.deepEqual(
    sortedRooms(new Map([...inbox].reverse())).map((r) => r.id),
    ["b", "dm:a:b"],
  );
});
