import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { RecentBuffer } from "#server/kafka/log/recent-buffer.js";
import { readBeforeMerged, readMerged } from "#server/kafka/log/merged-read.js";
import type { HistorySource } from "#server/log/history-source.js";

const ev = (room: string, seq: number): RoomEvent =>
  ({ room, seq, id: `${room}-${seq}`, cmid: `c${seq}`, from: "u", kind: "message", body: null, ts: 0 }) as RoomEvent;
const seqsOf = (events: RoomEvent[]) => events.map((e) => e.seq);

function filled(room: string, from: number, to: number, options = { perRoom: 100, total: 1000 }): RecentBuffer {
  const b = new RecentBuffer(options);
  for (let s = from; s <= to; s++) b.add(ev(room, s));
  return b;
}

describe("RecentBuffer", () => {
  it("keeps a contiguous run per room and answers after/before", () => {
    const b = filled("r", 1, 10);
    assert.equal(b.firstSeq("r"), 1);
    assert.equal(b.lastSeq("r"), 10);
    assert.deepEqual(seqsOf(b.after("r", 3, 4)), [4, 5, 6, 7]);
    assert.deepEqual(seqsOf(b.after("r", 0, 100)), seqsOf(b.after("r", -5, 100)));
    assert.deepEqual(seqsOf(b.after("r", 10, 5)), []);
    assert.deepEqual(seqsOf(b.before("r", 8, 3)), [5, 6, 7]);
    assert.deepEqual(seqsOf(b.before("r", 1, 3)), []);
    assert.deepEqual(seqsOf(b.before("r", 99, 2)), [9, 10]);
    assert.deepEqual(b.after("other", 0, 5), []);
    assert.equal(b.lastSeq("other"), undefined);
  });

  it("refuses a seq it already holds (a record seen twice is delivered once)", () => {
    const b = filled("r", 1, 3);
    assert.equal(b.add(ev("r", 3)), false);
    assert.equal(b.add(ev("r", 2)), false);
    assert.equal(b.size, 3);
    assert.equal(b.add(ev("r", 4)), true);
  });

  it("restarts a room's run at a gap, so it never answers across one", () => {
    const b = filled("r", 1, 5);
    assert.equal(b.add(ev("r", 9)), true);
    assert.equal(b.firstSeq("r"), 9);
    assert.equal(b.size, 1);
    assert.deepEqual(seqsOf(b.after("r", 0, 10)), [9]);
  });

  it("keeps the newest perRoom events of a room", () => {
    const b = filled("r", 1, 25, { perRoom: 10, total: 1000 });
    assert.equal(b.firstSeq("r"), 16);
    assert.equal(b.lastSeq("r"), 25);
    assert.equal(b.size, 10);
  });

  it("drops the rooms appended to longest ago when over the total", () => {
    const b = new RecentBuffer({ perRoom: 10, total: 6 });
    for (let s = 1; s <= 3; s++) b.add(ev("a", s));
    for (let s = 1; s <= 3; s++) b.add(ev("b", s));
    assert.equal(b.size, 6);
    b.add(ev("a", 4)); // 7 > 6: b, appended to longest ago, goes
    assert.equal(b.lastSeq("b"), undefined);
    assert.deepEqual(seqsOf(b.after("a", 0, 10)), [1, 2, 3, 4]);
    assert.equal(b.size, 4);
  });

  it("a delete tombstones what the buffer holds and, in merged reads, rows of a lagging sink", async () => {
    const chat = (seq: number, kind: string, body: RoomEvent["body"]): RoomEvent => ({ ...ev("c", seq), kind, body });
    // The sink has written 1–2 (not yet the delete); the buffer holds 2–4.
    const stored = [chat(1, "message", { text: "old" }), chat(2, "edit", { target: 1, text: "older" })];
    const history: HistorySource = {
      read: async (_room, after, limit) => stored.filter((e) => e.seq > after).slice(0, limit),
      readBefore: async (_room, before, limit) => stored.filter((e) => e.seq < before).slice(-limit),
      head: async () => ({ epoch: "e", lastSeq: 2 }),
    };
    const recent = new RecentBuffer({ perRoom: 3, total: 100 });
    const held = chat(2, "edit", { target: 1, text: "older" });
    for (const e of [held, chat(3, "message", { text: "new" }), chat(4, "delete", { target: 1 })]) recent.add(e);
    assert.deepEqual(held.body, { target: 1, text: "older" }, "a held event is replaced, never mutated");
    const sources = { history, recent, waitMs: 100 };
    const bodies = (events: RoomEvent[]) => events.map((e) => e.body);
    const expected = [{ deleted: true }, { deleted: true }, { text: "new" }, { target: 1 }];
    assert.deepEqual(bodies(await readMerged(sources, "c", 0, 10)), expected);
    assert.deepEqual(bodies(await readBeforeMerged(sources, "c", 5, 10)), expected);
  });
});
