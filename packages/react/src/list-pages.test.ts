import assert from "node:assert/strict";
import { test } from "node:test";
import type { HistoryOptions, HistoryPage, Room, RoomEvent } from "@parley/client";
import { gapAfterPage, jumpToPage, loadNewerPage, newestRun, type ListState, type ListStore } from "./list-pages.js";
import { eventRange } from "./test-support/events.js";

const range = (from: number, to: number) => eventRange(from, to);

/** A room of `head` events whose history reads are served from memory and counted. */
function fakeRoom(head: number): { room: Room; reads: HistoryOptions[] } {
  const all = range(1, head);
  const reads: HistoryOptions[] = [];
  const history = async (o: HistoryOptions): Promise<HistoryPage> => {
    reads.push(o);
    const limit = o.limit ?? 50;
    const events = o.after !== undefined ? all.filter((e) => e.seq > o.after!).slice(0, limit) : all.slice(-limit);
    return { room: "r", epoch: "E", events, hasMore: true };
  };
  return { room: { history } as unknown as Room, reads };
}

function store(room: Room, events: RoomEvent[]): ListStore & { ref: { current: ListState } } {
  const ref = {
    current: {
      events,
      epoch: "E",
      ready: true,
      hasOlder: true,
      loadingOlder: false,
      gapAfter: undefined,
      loadingNewer: false,
      error: undefined,
    } as ListState,
  };
  return { room, pageSize: 50, ref, commit: (s) => void (ref.current = s) };
}

test("newestRun and gapAfterPage", () => {
  const events = [...range(1, 3), ...range(10, 12), ...range(20, 22)];
  assert.deepEqual(
    newestRun(events).map((e) => e.seq),
    [20, 21, 22],
  );
  assert.equal(gapAfterPage(events, range(10, 12)), 12);
  assert.equal(gapAfterPage(events, range(20, 22)), undefined);
});

test("a jump far back reads one page around the message; newer pages close the gap one read each", async () => {
  const { room, reads } = fakeRoom(400);
  const s = store(room, range(351, 400));
  await jumpToPage(s, 100);
  assert.equal(reads.length, 1);
  const seqs = s.ref.current.events.map((e) => e.seq);
  assert.ok(seqs.includes(80) && seqs.includes(120) && seqs.includes(400));
  assert.equal(s.ref.current.gapAfter, 125);
  await jumpToPage(s, 100); // loaded already: no read
  assert.equal(reads.length, 1);
  while (s.ref.current.gapAfter !== undefined) await loadNewerPage(s);
  assert.equal(reads.length, 6);
  assert.deepEqual(
    s.ref.current.events.map((e) => e.seq),
    range(76, 400).map((e) => e.seq),
  );
});
