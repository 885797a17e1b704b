import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { EventListeners } from "#server/log/event-listeners.js";

const ev = (seq: number): RoomEvent => ({
  room: "r",
  seq,
  id: `e${seq}`,
  from: "u",
  ts: 0,
  kind: "message",
  body: {},
  cmid: `c${seq}`,
});

describe("EventListeners", () => {
  it("counts the same function subscribed twice as two subscriptions, each removable on its own", () => {
    const seen: number[] = [];
    const listeners = new EventListeners();
    const f = (e: RoomEvent) => seen.push(e.seq);
    const off1 = listeners.add(f);
    listeners.add(f);
    listeners.emit([ev(1)]);
    off1();
    listeners.emit([ev(2)]);
    assert.deepEqual(seen, [1, 1, 2]);
  });

  it("keeps delivering to the others when a listener throws, and reports the error with the event", () => {
    const errors: Array<[string, number]> = [];
    const seen: number[] = [];
    const listeners = new EventListeners((err, e) => errors.push([(err as Error).message, e.seq]));
    listeners.add(() => {
      throw new Error("boom");
    });
    listeners.add((e) => seen.push(e.seq));
    listeners.emit([ev(1), ev(2)]);
    assert.deepEqual(seen, [1, 2]);
    assert.deepEqual(errors, [
      ["boom", 1],
      ["boom", 2],
    ]);
  });

  it("applies a subscribe made during delivery from the next emit on", () => {
    const seen: string[] = [];
    const listeners = new EventListeners();
    listeners.add((e) => {
      seen.push(`a${e.seq}`);
      if (e.seq === 1) listeners.add((x) => seen.push(`b${x.seq}`));
    });
    listeners.emit([ev(1), ev(2)]);
    listeners.emit([ev(3)]);
    assert.deepEqual(seen, ["a1", "a2", "a3", "b3"]);
  });
});
