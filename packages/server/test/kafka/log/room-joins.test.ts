import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { RoomJoins, type EventRecord } from "#server/kafka/log/room-joins.js";
import type { EventsRecord } from "#server/kafka/records.js";

const ev = (room: string, seq: number, kind: RoomEvent["kind"] = "message", body: unknown = null): RoomEvent =>
  ({ room, seq, id: `${room}-${seq}`, cmid: `c${seq}`, from: "u", kind, body, ts: 0 }) as RoomEvent;
const rec = (room: string, seq: number, rid = ""): EventRecord => ({
  type: "event",
  event: ev(room, seq),
  epoch: "",
  rid,
});

/** RoomJoins with recording callbacks and a clock the test moves. */
function joins(history: RoomEvent[] = []) {
  let now = 0;
  const out = {
    declared: [] as Array<[string, number]>,
    withdrawn: [] as string[],
    live: [] as number[],
    buffered: [] as number[],
    answered: [] as EventsRecord[],
    outOfBand: [] as RoomEvent[],
    forgotten: [] as string[],
  };
  const j = new RoomJoins({
    declare: (room, after) => out.declared.push([room, after]),
    withdraw: (room) => out.withdrawn.push(room),
    sink: {
      event: (r, live) => (live ? out.live : out.buffered).push(r.event.seq),
      answer: (r) => out.answered.push(r),
      outOfBand: (e) => out.outOfBand.push(e),
      forget: (room) => out.forgotten.push(room),
    },
    lingerMs: 1000,
    redeclareMs: 100,
    waitMs: 60_000,
    fill: async (room, after, before) => history.filter((e) => e.room === room && e.seq > after && e.seq < before),
    now: () => now,
  });
  return { j, out, advance: (ms: number) => void (now += ms) };
}

describe("RoomJoins", () => {
  it("a first join fills the buffer only; forwarded events after it are live, each once, in order", async () => {
    const { j, out } = joins();
    const wanted = j.want("r");
    assert.deepEqual(out.declared, [["r", 0]]);
    j.onForward(rec("r", 4)); // in flight before the redistributor knew: waits for the join
    j.onJoin({ room: "r", last: 3, events: [ev("r", 2), ev("r", 3)] });
    await wanted;
    j.onForward(rec("r", 4)); // the same event again (a replay after a failover)
    j.onForward(rec("r", 5));
    assert.deepEqual(out.buffered, [2, 3]);
    assert.deepEqual(out.live, [4, 5]);
  });

  it("the interest race: events routed before the join are in the join, events after are forwarded; no gap, no duplicate", async () => {
    const { j, out } = joins();
    const wanted = j.want("r");
    // The redistributor routed 1..10 before it read the declaration, then answers and forwards 11, 12.
    j.onJoin({ room: "r", last: 10, events: Array.from({ length: 10 }, (_, i) => ev("r", i + 1)) });
    j.onForward(rec("r", 11));
    j.onForward(rec("r", 12));
    await wanted;
    assert.deepEqual(
      [...out.buffered, ...out.live],
      Array.from({ length: 12 }, (_, i) => i + 1),
    );
  });

  it("a hole (a redistributor failed over) waits, declares again from the last seq, and the join fills it", () => {
    const { j, out } = joins();
    void j.want("r");
    j.onJoin({ room: "r", last: 5, events: [] });
    j.onForward(rec("r", 6));
    j.onForward(rec("r", 9));
    j.onForward(rec("r", 10));
    assert.deepEqual(out.live, [6]);
    assert.deepEqual(out.declared.at(-1), ["r", 6]);
    j.onJoin({ room: "r", last: 9, events: [ev("r", 7), ev("r", 8), ev("r", 9)] });
    assert.deepEqual(out.live, [6, 7, 8, 9, 10]);
  });

  it("a hole older than the redistributor's buffer is read from history", async () => {
    const history = Array.from({ length: 20 }, (_, i) => ev("r", i + 1));
    const { j, out } = joins(history);
    void j.want("r");
    j.onJoin({ room: "r", last: 5, events: [] });
    j.onForward(rec("r", 15));
    j.onJoin({ room: "r", last: 15, events: [ev("r", 12), ev("r", 13), ev("r", 14), ev("r", 15)] });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(out.live, [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
  });

  it("answers records of rooms it does not follow, and hands on their membership changes once", () => {
    const { j, out } = joins();
    const joined = ev("other", 3, "system", { type: "member.joined", user: "ann" });
    j.onForward({ type: "event", event: ev("other", 2), epoch: "", rid: "g:1" });
    j.onForward({ type: "event", event: joined, epoch: "", rid: "" });
    j.onForward({ type: "event", event: joined, epoch: "", rid: "" });
    j.onForward({ type: "duplicate", event: ev("other", 2), rid: "g:2" });
    assert.equal(out.answered.length, 4);
    assert.deepEqual(out.outOfBand, [joined]);
    assert.deepEqual(out.live, []);
  });

  it("a membership change handed on out of band is not handed on again once the room is followed", async () => {
    const { j, out } = joins();
    const joined = ev("x", 3, "system", { type: "member.joined", user: "ann" });
    j.onForward({ type: "event", event: joined, epoch: "", rid: "" });
    const wanted = j.want("x");
    j.onJoin({ room: "x", last: 2, events: [ev("x", 1), ev("x", 2)] }); // a redistributor that lags behind
    await wanted;
    j.onForward({ type: "event", event: joined, epoch: "", rid: "" });
    j.onForward(rec("x", 4));
    assert.deepEqual(out.outOfBand, [joined]);
    assert.deepEqual(out.buffered, [1, 2, 3], "buffered for reads, not told to listeners twice");
    assert.deepEqual(out.live, [4]);
  });

  it("re-declares a late join, stops following an unused room after the linger, and keeps a held one", () => {
    const { j, out, advance } = joins();
    void j.want("quiet");
    const release = j.hold("held");
    advance(100);
    j.sweep();
    assert.deepEqual(out.declared, [
      ["quiet", 0],
      ["held", 0],
      ["quiet", 0],
      ["held", 0],
    ]);
    j.onJoin({ room: "quiet", last: null, events: [] });
    j.onJoin({ room: "held", last: null, events: [] });
    advance(1000);
    j.sweep();
    assert.deepEqual(out.withdrawn, ["quiet"]);
    assert.deepEqual(out.forgotten, ["quiet"]);
    release();
    advance(1000);
    j.sweep();
    assert.deepEqual(out.withdrawn, ["quiet", "held"]);
  });

  it("after a lapsed lease, declares every followed room again from its last seq", () => {
    const { j, out } = joins();
    void j.want("a");
    j.onJoin({ room: "a", last: 4, events: [] });
    j.rejoinAll();
    assert.deepEqual(out.declared.at(-1), ["a", 4]);
  });
  it("seamed (auto routing, the events tail still delivering): a room is declared from the last seq handed on and its first join is live", async () => {
    const history = [ev("r", 11), ev("r", 12)];
    const { j, out } = joins(history);
    j.seam((room) => (room === "r" ? 10 : null));
    const release = j.hold("r");
    assert.deepEqual(out.declared, [["r", 10]]);
    // The redistributor's buffer starts at 13: 11 and 12 come from history, then the join, all live.
    j.onJoin({ room: "r", last: 14, events: [ev("r", 13), ev("r", 14)] });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(out.live, [11, 12, 13, 14]);
    assert.deepEqual(out.buffered, []);
    assert.ok(j.settled());
    // A room the gateway holds nothing of: every event of its first join is handed on live (downstream drops what it has).
    j.hold("q");
    assert.deepEqual(out.declared.at(-1), ["q", 0]);
    assert.equal(j.settled(), false);
    j.onJoin({ room: "q", last: 3, events: [ev("q", 2), ev("q", 3)] });
    assert.deepEqual(out.live.slice(-2), [2, 3]);
    // Unseamed again, a new room's first join only fills the buffer.
    j.seam(undefined);
    j.hold("s");
    j.onJoin({ room: "s", last: 1, events: [ev("s", 1)] });
    assert.deepEqual(out.buffered, [1]);
    release();
  });

  it("clear withdraws every room at once and resolves the waiters (the events tail serves them)", async () => {
    const { j, out } = joins();
    const wanted = j.want("r");
    j.hold("s");
    assert.equal(j.settled(), false);
    j.clear();
    await wanted;
    assert.deepEqual(out.withdrawn.sort(), ["r", "s"]);
    assert.equal(j.follows("r"), false);
    assert.ok(j.settled());
  });

  it("markTold: a membership change told by one feed is not told again by the other", () => {
    const { j, out } = joins();
    const change = ev("m", 7, "system", { type: "member.joined", user: "u" });
    assert.equal(j.markTold(change), true); // the events tail delivered it
    j.onForward({ type: "event", event: change, epoch: "", rid: "" }); // the redistributed feed brings it too
    assert.deepEqual(out.outOfBand, []);
    assert.equal(j.markTold(change), false);
  });
});
