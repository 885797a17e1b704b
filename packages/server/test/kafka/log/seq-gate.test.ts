import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { SeqGate } from "#server/kafka/log/seq-gate.js";
import type { EventRecord } from "#server/kafka/log/room-joins.js";

const ev = (room: string, seq: number): RoomEvent =>
  ({ room, seq, id: `${room}-${seq}`, cmid: `c${seq}`, from: "u", kind: "message", body: null, ts: 0 }) as RoomEvent;
const rec = (room: string, seq: number): EventRecord => ({ type: "event", event: ev(room, seq), epoch: "", rid: "" });

/** A gate in front of a per-room last seq that, like the recent buffer, takes only the next seq or a repeat. */
function gate(history: RoomEvent[] = [], graceMs = 1000) {
  let now = 0;
  const last = new Map<string, number>();
  const delivered: number[] = [];
  const hand = (r: EventRecord) => {
    const at = last.get(r.event.room) ?? null;
    if (at !== null && r.event.seq <= at) return;
    assert.ok(at === null || r.event.seq === at + 1, `handed ${r.event.seq} after ${at}`);
    last.set(r.event.room, r.event.seq);
    delivered.push(r.event.seq);
  };
  const g: SeqGate = new SeqGate({
    lastOf: (room) => last.get(room) ?? null,
    hand: (r) => hand(r),
    fill: async (room, after, before) => history.filter((e) => e.room === room && e.seq > after && e.seq < before),
    graceMs,
    onError: () => undefined,
    now: () => now,
  });
  // The other feed (the redistributed one) hands an event on directly, then tells the gate.
  const other = (seq: number) => (hand(rec("r", seq)), g.release("r"));
  return { g, last, delivered, other, advance: (ms: number) => void (now += ms) };
}

describe("SeqGate (the events tail's side of an auto routing handover)", () => {
  it("passes the next seq and repeats at once; a room with nothing handed on yet passes anything", () => {
    const { g, last, delivered } = gate();
    g.offer(rec("r", 7), true);
    last.set("r", 7);
    g.offer(rec("r", 7), true);
    g.offer(rec("r", 8), true);
    assert.deepEqual(delivered, [7, 8]);
    assert.ok(g.empty());
  });

  it("keeps a tail event that runs ahead of the lagging feed until the feed hands on the ones before it", () => {
    const { g, delivered, other } = gate();
    other(1);
    g.offer(rec("r", 4), true); // the tail started past 2 and 3
    g.offer(rec("r", 5), true);
    assert.deepEqual(delivered, [1]);
    assert.equal(g.empty(), false);
    other(2);
    other(3); // the feed catches up: 4 and 5 go, in order
    assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
    assert.ok(g.empty());
    other(4); // the feed's copies after that are repeats
    assert.deepEqual(delivered, [1, 2, 3, 4, 5]);
  });

  it("reads a hole from history once it waited graceMs (the feed stopped or lags too far)", async () => {
    const { g, delivered, other, advance } = gate([ev("r", 2), ev("r", 3)], 1000);
    other(1);
    g.offer(rec("r", 4), true);
    g.sweep();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(delivered, [1]); // not yet: the feed may still bring them
    advance(1000);
    g.sweep();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(delivered, [1, 2, 3, 4]);
    assert.ok(g.empty());
  });

  it("a history that lags keeps the events waiting and is asked again at the next sweep", async () => {
    const history: RoomEvent[] = [];
    const { g, delivered, other, advance } = gate(history, 0);
    other(1);
    g.offer(rec("r", 3), true);
    g.sweep();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(delivered, [1]);
    history.push(ev("r", 2));
    advance(1);
    g.sweep();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(delivered, [1, 2, 3]);
  });
});
