import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { arbLog, log, msg } from "../test-support/fold-logs.js";
import { ChatFold } from "./chat-fold.js";
import { foldRoom, seenBy, threadOf, topLevel } from "./room-fold.js";

test("an edit by the author replaces the text and keeps the history", () => {
  const f = foldRoom(log(msg("ann", "helo"), ["ann", "edit", { target: 1, text: "hello" }]), "bob");
  const m = f.bySeq.get(1)!;
  assert.equal(m.text, "hello");
  assert.equal(m.edited, true);
  assert.deepEqual(
    m.history.map((h) => [h.seq, h.text]),
    [
      [1, "helo"],
      [2, "hello"],
    ],
  );
  assert.deepEqual(
    topLevel(f).map((v) => v.seq),
    [1],
  );
});

test("an edit by someone else, or after the delete, changes nothing", () => {
  const f = foldRoom(
    log(
      msg("ann", "a"),
      ["bob", "edit", { target: 1, text: "hijack" }],
      ["ann", "delete", { target: 1 }],
      ["ann", "edit", { target: 1, text: "late" }],
    ),
    "ann",
  );
  const m = f.bySeq.get(1)!;
  assert.equal(m.deleted, true);
  assert.equal(m.text, undefined);
  assert.equal(m.edited, false);
  assert.deepEqual(m.body, { deleted: true });
});

test("a stored tombstone (the server's projection) is a deleted message", () => {
  const f = foldRoom(log(["ann", "message", { deleted: true }], ["ann", "edit", { deleted: true }]), "bob");
  assert.equal(f.bySeq.get(1)!.deleted, true);
  assert.equal(f.bySeq.get(1)!.edited, false);
});

test("reactions: add is idempotent per user, remove of an absent one is nothing, none after delete", () => {
  const f = foldRoom(
    log(
      msg("ann", "x"),
      ["bob", "reaction", { target: 1, emoji: "👍", op: "add" }],
      ["bob", "reaction", { target: 1, emoji: "👍", op: "add" }],
      ["cat", "reaction", { target: 1, emoji: "👍", op: "add" }],
      ["cat", "reaction", { target: 1, emoji: "🎉", op: "remove" }],
      ["ann", "reaction", { target: 1, emoji: "🎉", op: "add" }],
      ["ann", "reaction", { target: 1, emoji: "🎉", op: "remove" }],
      msg("ann", "y"),
      ["ann", "delete", { target: 8 }],
      ["bob", "reaction", { target: 8, emoji: "👍", op: "add" }],
    ),
    "ann",
  );
  assert.deepEqual(f.bySeq.get(1)!.reactions, [{ emoji: "👍", users: ["bob", "cat"] }]);
  assert.deepEqual(f.bySeq.get(8)!.reactions, []);
});

test("replies: counted on the parent, listed in the thread, kept out of the main list", () => {
  const f = foldRoom(
    log(msg("ann", "q"), msg("bob", "a1", { replyTo: 1 }), msg("cat", "top"), msg("ann", "a2", { replyTo: 1 })),
    "ann",
  );
  assert.deepEqual(f.bySeq.get(1)!.replies, [2, 4]);
  assert.equal(f.bySeq.get(1)!.replyCount, 2);
  assert.deepEqual(
    threadOf(f, 1).map((m) => m.text),
    ["a1", "a2"],
  );
  assert.deepEqual(
    topLevel(f).map((m) => m.seq),
    [1, 3],
  );
});

test("a deleted reply stays in the thread as a tombstone but leaves the count", () => {
  const f = foldRoom(log(msg("ann", "q"), msg("bob", "a1", { replyTo: 1 }), ["bob", "delete", { target: 2 }]), "ann");
  assert.deepEqual([f.bySeq.get(1)!.replies, f.bySeq.get(1)!.replyCount], [[2], 0]);
  assert.equal(threadOf(f, 1)[0]!.deleted, true);
});

test("mentions come from the text as sent; mentionsMe for the current user", () => {
  const f = foldRoom(
    log(msg("ann", "hi @bob and @cat."), ["ann", "edit", { target: 1, text: "hi @dan" }], msg("ann", "mail a@bob.org")),
    "cat",
  );
  assert.deepEqual(f.bySeq.get(1)!.mentions, ["bob", "cat"]);
  assert.equal(f.bySeq.get(1)!.mentionsMe, true);
  assert.deepEqual(f.bySeq.get(3)!.mentions, []);
});

test("receipts: the highest upTo per user, for seen-by", () => {
  const f = foldRoom(
    log(
      msg("ann", "a"),
      msg("ann", "b"),
      ["bob", "receipt", { upTo: 2 }],
      ["bob", "receipt", { upTo: 1 }],
      ["ann", "receipt", { upTo: 2 }],
    ),
    "ann",
  );
  assert.equal(f.reads.get("bob"), 2);
  assert.deepEqual(seenBy(f, 2), ["bob"]);
  assert.equal(topLevel(f).length, 2, "receipts are not messages");
});

test("events before their target are kept and apply when the older page arrives", () => {
  const events = log(
    msg("ann", "old"),
    msg("bob", "mid"),
    ["ann", "edit", { target: 1, text: "old!" }],
    ["bob", "reaction", { target: 1, emoji: "👀", op: "add" }],
    msg("cat", "re", { replyTo: 1 }),
  );
  const fold = new ChatFold("bob");
  fold.add(events.slice(2));
  assert.deepEqual(
    fold.fold.pending.map((e) => e.seq),
    [3, 4, 5],
  );
  fold.add(events.slice(0, 2));
  const m = fold.fold.bySeq.get(1)!;
  assert.deepEqual([m.text, m.reactions.length, m.replies], ["old!", 1, [5]]);
  assert.deepEqual(fold.fold.pending, []);
});

// ---- properties over random logs ----

const arbArrivals = arbLog.chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.shuffledSubarray(events, { minLength: events.length }),
    fc.array(fc.nat({ max: events.length }), { maxLength: 8 }),
  ),
);

test("property: the fold depends only on the set of events, not on arrival order, batching or duplicates", () => {
  fc.assert(
    fc.property(arbArrivals, ([events, shuffled, cuts]) => {
      const expected = foldRoom(events, "bob");
      const fold = new ChatFold("bob");
      let start = 0;
      for (const cut of [...cuts, shuffled.length].sort((a, b) => a - b)) {
        fold.add(shuffled.slice(start, cut));
        fold.add(shuffled.slice(0, cut)); // duplicates
        start = cut;
      }
      assert.deepEqual(fold.fold.messages, expected.messages);
      assert.deepEqual([...fold.fold.reads], [...expected.reads]);
      assert.deepEqual(fold.fold.pending, []);
    }),
  );
});

test("property: reactions are, per emoji, the users whose last op before any delete was add", () => {
  fc.assert(
    fc.property(arbLog, (events) => {
      const model = new Map<number, Map<string, Set<string>>>();
      const deleted = new Set<number>();
      for (const e of events) {
        const b = e.body as { target?: number; emoji?: string; op?: string };
        if (e.kind === "message") model.set(e.seq, new Map());
        if (e.kind === "delete" && model.has(b.target!)) deleted.add(b.target!);
        if (e.kind !== "reaction" || deleted.has(b.target!) || !model.has(b.target!)) continue;
        const users = model.get(b.target!)!.get(b.emoji!) ?? new Set<string>();
        if (b.op === "add") users.add(e.from);
        else users.delete(e.from);
        model.get(b.target!)!.set(b.emoji!, users);
      }
      const fold = foldRoom(events, "bob");
      for (const [seq, emojis] of model) {
        const expected = deleted.has(seq)
          ? []
          : [...emojis].filter(([, u]) => u.size > 0).map(([emoji, u]) => [emoji, [...u].sort()]);
        const actual = fold.bySeq.get(seq)!.reactions.map((r) => [r.emoji, [...r.users].sort()]);
        assert.deepEqual(
          actual.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
          expected.sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
        );
      }
    }),
  );
});

test("property: a suffix folds every message it holds exactly as the whole log does, once the target is in it", () => {
  fc.assert(
    fc.property(arbLog, fc.nat(), (events, at) => {
      const from = (at % events.length) + 1;
      const whole = foldRoom(events, "cat");
      const suffix = foldRoom(
        events.filter((e) => e.seq >= from),
        "cat",
      );
      for (const m of suffix.messages) {
        const full = whole.bySeq.get(m.seq)!;
        assert.deepEqual({ ...m, replies: [] }, { ...full, replies: [] });
        assert.deepEqual(m.replies, full.replies); // replies always come after their parent
      }
      for (const e of suffix.pending)
        assert.ok(
          ((e.body as { target?: number; replyTo?: number }).target ?? (e.body as { replyTo: number }).replyTo) < from,
        );
    }),
  );
});

test("the server's system events (membership changes) show as no message, in both folds", () => {
  const events = log(
    ["ann", "system", { type: "room.private", members: ["ann"], name: "Ops" }],
    ["ann", "system", { type: "member.joined", user: "bob" }],
    msg("ann", "hi"),
    ["ann", "system", { type: "room.renamed", name: "Ops 2" }],
    ["bob", "system", { type: "member.left", user: "bob" }],
    ["cy", "system", { type: "member.left", user: "cy", open: true }],
  );
  assert.deepEqual(
    topLevel(foldRoom(events, "ann")).map((v) => v.seq),
    [3],
  );
  const fold = new ChatFold("ann");
  fold.add(events);
  assert.deepEqual(
    fold.fold.messages.map((v) => v.seq),
    [3],
  );
});
