import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { LocalPresence } from "#server/presence/local-presence.js";
import type { PresenceChange } from "#server/presence/presence.js";

describe("LocalPresence", () => {
  it("emits join on a user's first connection and leave on their last", () => {
    const p = new LocalPresence();
    const changes: PresenceChange[] = [];
    p.onChange((c) => changes.push(c));
    p.join("r", "bob", "c1");
    p.join("r", "bob", "c2");
    p.join("r", "bob", "c2");
    p.join("r", "amy", "c3");
    assert.deepEqual(p.members("r"), [
      { user: "amy", connections: 1 },
      { user: "bob", connections: 2 },
    ]);
    p.leave("r", "bob", "c1");
    p.leave("r", "bob", "c1");
    p.leave("r", "bob", "c2");
    p.leave("r", "nobody", "c9");
    assert.deepEqual(changes, [
      { type: "join", room: "r", user: "bob" },
      { type: "join", room: "r", user: "amy" },
      { type: "leave", room: "r", user: "bob" },
    ]);
    assert.deepEqual(p.members("r"), [{ user: "amy", connections: 1 }]);
    assert.deepEqual(p.members("empty"), []);
    p.join("q", "amy", "c4");
    p.join("q", "cy", "c5");
    p.join("q", "cy", "c6");
    assert.deepEqual(p.occupancy(), [
      { room: "r", users: 1, connections: 1 },
      { room: "q", users: 2, connections: 3 },
    ]);
  });
});
