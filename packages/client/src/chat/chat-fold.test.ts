// The incremental ChatFold against the oracle: after every batch, in any arrival order, its fold
// equals foldRoom over the events added so far (pending included), also for stored tombstones,
// apps' own kinds, and with own changes overlaid by foldWith.
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import type { RoomEvent } from "@parley/protocol";
import { arbLog } from "../test-support/fold-logs.js";
import { ChatFold } from "./chat-fold.js";
import { foldRoom, type RoomFold } from "./room-fold.js";

/** Logs as history serves them: some messages and edits are tombstones, some messages are an app's kind. */
const arbStoredLog = arbLog.chain((events) =>
  fc
    .array(fc.constantFrom("keep", "keep", "keep", "tombstone", "app"), {
      minLength: events.length,
      maxLength: events.length,
    })
    .map((marks) =>
      events.map((e, i): RoomEvent => {
        const mark = e.seq === 1 ? "keep" : marks[i];
        if (mark === "tombstone" && (e.kind === "message" || e.kind === "edit"))
          return { ...e, body: { deleted: true } };
        if (mark === "app" && e.kind === "message") return { ...e, kind: "note" };
        return e;
      }),
    ),
);

const arbArrivals = arbStoredLog.chain((events) =>
  fc.tuple(
    fc.constant(events),
    fc.shuffledSubarray(events, { minLength: events.length }),
    fc.array(fc.nat({ max: events.length }), { maxLength: 10 }),
  ),
);

function assertSameFold(actual: RoomFold, expected: RoomFold): void {
  assert.deepEqual(actual.messages, expected.messages);
  assert.deepEqual(
    [...actual.bySeq].sort(([a], [b]) => a - b),
    [...expected.bySeq],
  );
  assert.deepEqual([...actual.reads], [...expected.reads]);
  assert.deepEqual(actual.pending, expected.pending);
}

test("property: after every batch, in any order and with duplicates, the fold is foldRoom of what was added", () => {
  fc.assert(
    fc.property(arbArrivals, ([, shuffled, cuts]) => {
      const fold = new ChatFold("bob");
      let start = 0;
      for (const cut of [...cuts, shuffled.length].sort((a, b) => a - b)) {
        fold.add(shuffled.slice(start, cut));
        fold.add(shuffled.slice(Math.max(0, start - 2), cut)); // duplicates
        start = cut;
        assertSameFold(fold.fold, foldRoom(shuffled.slice(0, cut), "bob"));
      }
    }),
    { numRuns: 300 },
  );
});

test("property: live (one by one, ascending) and paged from the newest back give the oracle at every step", () => {
  fc.assert(
    fc.property(arbStoredLog, fc.integer({ min: 1, max: 7 }), (events, page) => {
      const live = new ChatFold("ann");
      for (let i = 0; i < events.length; i++) {
        live.add([events[i]!]);
        assertSameFold(live.fold, foldRoom(events.slice(0, i + 1), "ann"));
      }
      const paged = new ChatFold("ann");
      for (let end = events.length; end > 0; end -= page) {
        paged.add(events.slice(Math.max(0, end - page), end));
        assertSameFold(paged.fold, foldRoom(events.slice(Math.max(0, end - page)), "ann"));
      }
    }),
    { numRuns: 200 },
  );
});

test("property: foldWith overlays changes after the log as foldRoom does, and leaves the fold as it was", () => {
  fc.assert(
    fc.property(arbStoredLog, fc.nat(), (events, cut) => {
      const at = cut % events.length;
      const loaded = events.slice(at);
      const fold = new ChatFold("cat");
      fold.add(loaded);
      const before = foldRoom(loaded, "cat");
      const extra = events
        .filter((e) => e.kind === "edit" || e.kind === "delete" || e.kind === "reaction")
        .slice(0, 5)
        .map((e, i) => ({ ...e, seq: 2 ** 50 + i, from: "cat" }));
      assertSameFold(fold.foldWith(extra), foldRoom([...loaded, ...extra], "cat"));
      assertSameFold(fold.fold, before);
    }),
    { numRuns: 200 },
  );
});

test("add reports how many events were new; clear forgets everything", () => {
  const fold = new ChatFold("ann");
  const e: RoomEvent = {
    room: "r",
    seq: 5,
    id: "e5",
    from: "ann",
    ts: 1,
    kind: "message",
    body: { text: "x" },
    cmid: "c",
  };
  assert.equal(fold.add([e, e]), 1);
  assert.equal(fold.add([e]), 0);
  assert.deepEqual([fold.size, fold.span.first, fold.span.last], [1, 5, 5]);
  fold.clear();
  assert.deepEqual([fold.size, fold.fold.messages.length], [0, 0]);
});
