import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RoomEvent } from "@parley/protocol";
import { CmidIndex } from "./cmid-index.js";

const HOUR = 3_600_000;
const ev = (room: string, cmid: string, seq = 1): RoomEvent => ({
  room,
  seq,
  id: `${room}-${cmid}`,
  from: "u",
  ts: 0,
  kind: "message",
  body: {},
  cmid,
});

describe("CmidIndex", () => {
  it("answers unknown (ask the database) for a room it did not see empty", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 10 });
    idx.add(ev("old", "a"), 0);
    assert.equal(idx.find("old", "b", 0), undefined);
    assert.equal(idx.find("never", "b", 0), undefined);
  });

  it("proves a cmid new in a room seen empty, and finds its cached events", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 10 });
    idx.markEmpty("r");
    assert.equal(idx.find("r", "a", 0), null);
    const a = ev("r", "a");
    idx.add(a, 0);
    assert.equal(idx.find("r", "a", 1), a);
    assert.equal(idx.find("r", "b", 1), null);
  });

  it("stops proving once one of the room's entries was evicted by count", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 3 });
    idx.markEmpty("r");
    idx.markEmpty("s");
    idx.add(ev("r", "a"), 0);
    idx.add(ev("s", "a"), 0);
    idx.add(ev("s", "b"), 0);
    assert.equal(idx.find("r", "x", 0), null);
    idx.add(ev("s", "c"), 0); // evicts r/a, the oldest
    assert.equal(idx.find("r", "a", 0), undefined);
    assert.equal(idx.find("s", "x", 0), null, "s still has all its entries");
    idx.add(ev("s", "d"), 0); // evicts s/a
    assert.equal(idx.find("s", "x", 0), undefined);
  });

  it("stops proving once the room's oldest entry is outside the window", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 100 });
    idx.markEmpty("r");
    idx.add(ev("r", "a"), 1000);
    idx.add(ev("r", "b"), 500); // clock stepped back: the window counts from the earliest entry
    assert.equal(idx.find("r", "x", 500 + HOUR), null);
    assert.equal(idx.find("r", "x", 501 + HOUR), undefined);
    idx.markEmpty("r"); // never re-proves a room it gave up on
    assert.equal(idx.find("r", "x", 0), undefined);
  });
});
