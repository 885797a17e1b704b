import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { MemoryOutboxStorage, type OutboxEntry } from "@parley/client";
import { OutboxTracker } from "./outbox-tracker.js";

const entry = (cmid: string, order: number): OutboxEntry => ({ cmid, room: "r", order, body: cmid, createdAt: 1 });

describe("OutboxTracker", () => {
  it("sees entries when stored and restored, and keeps them after removal until forgotten", async () => {
    const inner = new MemoryOutboxStorage();
    await inner.put(entry("old", 1));
    const tracker = new OutboxTracker(inner);
    let changes = 0;
    tracker.subscribe(() => changes++);
    assert.deepEqual(await tracker.load(), [entry("old", 1)]);
    await tracker.put(entry("new", 2));
    assert.deepEqual(
      tracker.messages.map((m) => [m.entry.cmid, m.status]),
      [
        ["old", "queued"],
        ["new", "queued"],
      ],
    );
    await tracker.remove("old");
    assert.deepEqual(await inner.load(), [entry("new", 2)]);
    assert.equal(tracker.messages.length, 2, "kept until the stream confirms it");
    const before = tracker.messages;
    tracker.forget(["old", "missing"]);
    assert.notEqual(tracker.messages, before, "a new snapshot after a change");
    assert.deepEqual(
      tracker.messages.map((m) => m.entry.cmid),
      ["new"],
    );
    assert.equal(changes, 3);
  });
});
