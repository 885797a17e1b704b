import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "#server/store/store.js";
import { capsAllow, roomAdmits, roomMatches } from "#server/policy/access.js";
import type { CapabilityMap } from "#server/auth/principal.js";

/** DM ids are decided without the store; other rooms ask it whether the room is private. */
const noRooms = { getRoom: async () => undefined, isMember: async () => false } as unknown as Store;

describe("roomAdmits", () => {
  it("a canonical DM admits its two users only", async () => {
    for (const [user, admitted] of [
      ["amy", true],
      ["bob", true],
      ["cy", false],
    ] as const) {
      assert.equal(await roomAdmits("dm:amy:bob", user, noRooms), admitted, user);
    }
  });

  it("a dm: id that is not canonical admits nobody, not even the users it names", async () => {
    for (const room of ["dm:bob:amy", "dm:amy", "dm:amy:bob:cy", "dm:", "dm::bob"]) {
      for (const user of ["amy", "bob", "cy"])
        assert.equal(await roomAdmits(room, user, noRooms), false, `${room} ${user}`);
    }
  });

  it("a room the store does not know is open", async () => {
    assert.equal(await roomAdmits("general", "cy", noRooms), true);
  });
});

describe("roomMatches and capsAllow", () => {
  it("a pattern matches the whole id; `*` is any run of characters, everything else is literal", () => {
    // [pattern, ids it matches, ids it does not]
    const cases: [string, string[], string[]][] = [
      ["general", ["general"], ["general2"]],
      ["*", ["anything:at all", ""], []],
      ["dm:*", ["dm:amy:bob"], ["xdm:amy:bob"]],
      ["team-*-ops", ["team-red-ops"], ["team-red-ops-2"]],
      ["a.b*", ["a.bc"], ["axbc"]],
      ["(x)+[y]*", ["(x)+[y]z"], ["xx[y]z"]],
    ];
    // Twice each: the second time the pattern is the compiled one, and must answer the same.
    for (let round = 0; round < 2; round++) {
      for (const [pattern, yes, no] of cases) {
        for (const room of yes) assert.equal(roomMatches(pattern, room), true, `${pattern} ~ ${room}`);
        for (const room of no) assert.equal(roomMatches(pattern, room), false, `${pattern} !~ ${room}`);
      }
    }
  });

  it("answers the same once more patterns were seen than are kept compiled", () => {
    for (let i = 0; i < 3_000; i++) assert.equal(roomMatches(`room-${i}-*`, `room-${i}-x`), true);
    assert.equal(roomMatches("room-7-*", "room-8-x"), false);
    assert.equal(roomMatches("room-2999-*", "room-2999-"), true);
  });

  it("capsAllow: some pattern matching the room must list the action or `*`", () => {
    const caps: CapabilityMap = { "dm:*": ["publish", "subscribe"], "public:*": ["subscribe"], ops: ["*"] };
    assert.equal(capsAllow(caps, "dm:amy:bob", "publish"), true);
    assert.equal(capsAllow(caps, "public:news", "publish"), false);
    assert.equal(capsAllow(caps, "public:news", "subscribe"), true);
    assert.equal(capsAllow(caps, "ops", "history"), true);
    assert.equal(capsAllow(caps, "ops2", "history"), false);
  });
});
