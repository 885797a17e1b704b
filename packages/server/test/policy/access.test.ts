import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Store } from "#server/store/store.js";
import { roomAdmits } from "#server/policy/access.js";

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
