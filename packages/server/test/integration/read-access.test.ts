/**
 * Read positions and room lists with real, scoped tokens: moving a read
 * position needs the same capability as a `receipt` event (`subscribe` on the
 * room), not membership alone, and `GET /v1/rooms` leaves out the rooms that
 * `unread` leaves out.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { uniqueRoom } from "../support/fixtures.js";
import { tokenServer } from "../support/token-server.js";

const SECRET = "read-access-test-secret-0123456789abcd";

describe("scoped tokens: read positions and room lists", () => {
  const as = tokenServer(SECRET);

  it("a member whose token may not subscribe to the room cannot mark it read; one that may, can", async () => {
    const room = uniqueRoom("readcap");
    const owner = await as("amy", { "*": ["*"] });
    assert.equal((await owner.call("POST", "/v1/rooms", { id: room, type: "private", name: "r" })).status, 201);
    assert.equal((await owner.call("POST", `/v1/rooms/${room}/members`, { user: "bob" })).status, 201);
    await owner.publish(room, { text: "one" });
    const scoped = await as("bob", { "elsewhere-*": ["subscribe", "publish", "history"] });
    const refused = await scoped.call<{ error: { code: string } }>("POST", `/v1/rooms/${room}/read`, { seq: 1 });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error.code, "FORBIDDEN");
    const allowed = await as("bob", { [room]: ["subscribe"] });
    const read = await allowed.call("POST", `/v1/rooms/${room}/read`, { seq: 1 });
    assert.deepEqual([read.status, read.body], [200, { room, lastReadSeq: 1 }]);
  });

  it("GET /v1/rooms lists only the member's rooms the token may subscribe to, as unread does", async () => {
    const [mine, other] = [uniqueRoom("listed"), uniqueRoom("unlisted")];
    const owner = await as("cy", { "*": ["*"] });
    for (const id of [mine, other]) {
      assert.equal((await owner.call("POST", "/v1/rooms", { id, type: "private", name: id })).status, 201);
    }
    const scoped = await as("cy", { [mine]: ["subscribe"] });
    const listed = await scoped.call<{ rooms: { id: string }[] }>("GET", "/v1/rooms");
    assert.deepEqual(
      listed.body.rooms.map((r) => r.id),
      [mine],
    );
    const unread = await scoped.call<{ rooms: { room: string }[] }>("GET", "/v1/unread");
    assert.deepEqual(
      unread.body.rooms.map((r) => r.room),
      [mine],
    );
  });
});
