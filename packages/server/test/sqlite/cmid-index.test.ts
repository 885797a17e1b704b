import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { CmidIndex } from "#server/sqlite/cmid-index.js";

const HOUR = 3_600_000;

describe("CmidIndex", () => {
  it("answers unknown (ask the database) for a room it did not see empty", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 10 });
    idx.add("old", "a", 0);
    assert.equal(idx.find("old", "b", 0), "unknown");
    assert.equal(idx.find("never", "b", 0), "unknown");
  });

  it("proves a cmid new in a room seen empty, and knows its cached cmids are stored", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 10 });
    idx.markEmpty("r");
    assert.equal(idx.find("r", "a", 0), "new");
    idx.add("r", "a", 0);
    assert.equal(idx.find("r", "a", 1), "stored");
    assert.equal(idx.find("r", "b", 1), "new");
  });

  it("stops proving once one of the room's entries was evicted by count", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 3 });
    idx.markEmpty("r");
    idx.markEmpty("s");
    idx.add("r", "a", 0);
    idx.add("s", "a", 0);
    idx.add("s", "b", 0);
    assert.equal(idx.find("r", "x", 0), "new");
    idx.add("s", "c", 0); // evicts r/a, the oldest
    assert.equal(idx.find("r", "a", 0), "unknown");
    assert.equal(idx.find("s", "x", 0), "new", "s still has all its entries");
    idx.add("s", "d", 0); // evicts s/a
    assert.equal(idx.find("s", "x", 0), "unknown");
  });

  it("stops proving once the room's oldest entry is outside the window", () => {
    const idx = new CmidIndex({ windowMs: HOUR, maxEntries: 100 });
    idx.markEmpty("r");
    idx.add("r", "a", 1000);
    idx.add("r", "b", 500); // clock stepped back: the window counts from the earliest entry
    assert.equal(idx.find("r", "x", 500 + HOUR), "new");
    assert.equal(idx.find("r", "x", 501 + HOUR), "unknown");
    idx.markEmpty("r"); // never re-proves a room it gave up on
    assert.equal(idx.find("r", "x", 0), "unknown");
  });
});
