// Chat features end to end against the real server process: edits, deletes, reactions, replies and
// receipts go through the outbox as ordinary events, and every client folds them the same way.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import type { ParleyClient } from "../node.js";
import { MemoryOutboxStorage } from "../outbox-storage.js";
import { waitUntil } from "../test-support/fake-server.js";
import { realServer } from "../test-support/real-server-fixture.js";
import { foldRoom, threadOf, topLevel } from "./room-fold.js";

const { client, uniqueRoom } = realServer("chat");

async function joined(c: ParleyClient, id: string): Promise<RoomEvent[]> {
  const events: RoomEvent[] = [];
  c.room(id).on("event", (e) => events.push(e));
  await c.room(id).subscribe();
  return events;
}

test("edit, delete, react, unreact and reply fold the same for both users and from history", async () => {
  const [ann, bob] = [client("ann"), client("bob")];
  await Promise.all([ann.connect(), bob.connect()]);
  const id = uniqueRoom();
  const [seenA, seenB] = await Promise.all([joined(ann, id), joined(bob, id)]);
  const a = ann.room(id);
  const b = bob.room(id);
  const first = await a.publish({ text: "helo @bob" });
  const second = await b.publish({ text: "to delete" });
  await a.edit(first.seq, "hello @bob");
  await b.react(first.seq, "👍");
  await a.react(first.seq, "👍");
  await a.react(first.seq, "🎉");
  await a.unreact(first.seq, "🎉");
  await b.reply(first.seq, "a reply");
  await b.delete(second.seq);
  await waitUntil(() => seenA.length === 9 && seenB.length === 9, 5000, "all nine events");

  for (const [events, me] of [
    [seenA, "ann"],
    [seenB, "bob"],
  ] as const) {
    const fold = foldRoom(events, me);
    const m = fold.bySeq.get(first.seq)!;
    assert.deepEqual([m.text, m.edited, m.history.length], ["hello @bob", true, 2]);
    assert.deepEqual(m.reactions, [{ emoji: "👍", users: ["bob", "ann"] }]);
    assert.deepEqual(
      threadOf(fold, first.seq).map((r) => [r.from, r.text]),
      [["bob", "a reply"]],
    );
    assert.equal(m.mentionsMe, me === "bob");
    assert.equal(fold.bySeq.get(second.seq)!.deleted, true);
    assert.deepEqual(
      topLevel(fold).map((v) => v.seq),
      [first.seq, second.seq],
    );
  }
  const history = await a.history({ after: 0, limit: 100 });
  const fromHistory = foldRoom(history.events, "ann");
  assert.deepEqual(
    fromHistory.messages.map((v) => [v.seq, v.text, v.deleted, v.reactions.length, v.replies.length]),
    foldRoom(seenA, "ann").messages.map((v) => [v.seq, v.text, v.deleted, v.reactions.length, v.replies.length]),
  );
});

test("markRead: coalesced, monotonic receipts; the other device's receipt is not repeated", async () => {
  const ann = client("ann");
  const annPhone = client("ann");
  const bob = client("bob");
  await Promise.all([ann.connect(), annPhone.connect(), bob.connect()]);
  const id = uniqueRoom();
  const seen = await joined(bob, id);
  await joined(annPhone, id);
  await ann.room(id).subscribe();
  for (let i = 0; i < 5; i++) await bob.room(id).publish({ text: `m${i}` });
  for (let seq = 1; seq <= 5; seq++) ann.room(id).markRead(seq);
  ann.room(id).markRead(3);
  await waitUntil(() => ann.room(id).readPosition === 5, 5000, "read position 5 acked");
  const receipts = () => seen.filter((e) => e.kind === "receipt").map((e) => (e.body as { upTo: number }).upTo);
  await waitUntil(() => receipts().at(-1) === 5, 5000, "receipt for 5 delivered");
  assert.ok(receipts().length <= 2, `at most two receipts for five marks, got ${receipts().join(",")}`);
  assert.deepEqual(
    [...receipts()].sort((x, y) => x - y),
    receipts(),
    "never backwards",
  );

  await waitUntil(() => annPhone.room(id).readPosition === 5, 5000, "the phone learns ann's position");
  const before = receipts().length;
  annPhone.room(id).markRead(4);
  annPhone.room(id).markRead(5);
  await bob.room(id).publish({ text: "marker" });
  await waitUntil(() => seen.length === 5 + before + 1, 5000, "marker");
  assert.equal(receipts().length, before, "no receipt for what the other device already read");
});

test("an edit queued while offline survives a reload (same outbox storage) and lands exactly once", async () => {
  const storage = new MemoryOutboxStorage();
  const ann = client("ann", storage);
  const bob = client("bob");
  await Promise.all([ann.connect(), bob.connect()]);
  const id = uniqueRoom();
  const seen = await joined(bob, id);
  const ack = await ann.room(id).publish({ text: "typo" });
  ann.disconnect();
  void ann
    .room(id)
    .edit(ack.seq, "fixed")
    .catch(() => undefined);
  void ann
    .room(id)
    .react(ack.seq, "✅")
    .catch(() => undefined);
  await waitUntil(async () => (await storage.load()).length === 2, 30_000, "both stored");

  const reloaded = client("ann", storage);
  await reloaded.connect();
  await waitUntil(() => seen.length === 3 && reloaded.pendingMessages === 0, 5000, "edit and reaction delivered");
  const m = foldRoom(seen, "bob").bySeq.get(ack.seq)!;
  assert.deepEqual([m.text, m.reactions], ["fixed", [{ emoji: "✅", users: ["ann"] }]]);
  assert.deepEqual(
    seen.map((e) => e.kind),
    ["message", "edit", "reaction"],
  );
});
