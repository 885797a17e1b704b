/**
 * Who may manage a room's webhooks, with real tokens (no dev mode): the
 * room's creator, or a holder of `delete_any` on it, and either way only
 * someone who may read the room.
 */
import assert from "node:assert/strict";
import { createECDH } from "node:crypto";
import { describe, it } from "node:test";
import type { CapabilityMap } from "#server/auth/principal.js";
import { uniqueRoom } from "../support/fixtures.js";
import { tokenServer } from "../support/token-server.js";

const SECRET = "webhook-access-test-secret-0123456789";
const MEMBER: CapabilityMap = { "*": ["subscribe", "publish", "history"] };
const MODERATOR: CapabilityMap = { "*": ["subscribe", "history", "delete_any"] };

describe("webhook access", () => {
  const as = tokenServer(SECRET, ["--outbound-allowed-networks", "127.0.0.1"]);
  const hookUrl = { url: "http://127.0.0.1:9/never-called" };

  it("the creator manages; a member without delete_any may not; a moderator who may read the room may", async () => {
    const room = uniqueRoom("acl");
    const [amy, bob, mod, eve] = [
      await as("amy", MEMBER),
      await as("bob", MEMBER),
      await as("mod", MODERATOR),
      await as("eve", MODERATOR),
    ];
    assert.equal((await amy.call("POST", "/v1/rooms", { id: room, type: "private", name: "acl" })).status, 201);
    for (const user of ["bob", "mod"]) {
      assert.equal((await amy.call("POST", `/v1/rooms/${room}/members`, { user })).status, 201);
    }
    const created = await amy.call<{ id: string }>("POST", `/v1/rooms/${room}/webhooks`, hookUrl);
    assert.equal(created.status, 201);
    const id = created.body.id;
    for (const [method, path] of [
      ["POST", `/v1/rooms/${room}/webhooks`],
      ["GET", `/v1/rooms/${room}/webhooks`],
      ["DELETE", `/v1/rooms/${room}/webhooks/${id}`],
    ] as const) {
      const reply = await bob.call<{ error: { code: string } }>(method, path, method === "POST" ? hookUrl : undefined);
      assert.equal(reply.status, 403, `bob ${method}`);
      assert.equal(reply.body.error.code, "FORBIDDEN");
      // delete_any without access to the private room is not enough either.
      assert.equal(
        (await eve.call(method, path, method === "POST" ? hookUrl : undefined)).status,
        403,
        `eve ${method}`,
      );
    }
    assert.equal((await mod.call("GET", `/v1/rooms/${room}/webhooks`)).status, 200);
    assert.equal((await mod.call("DELETE", `/v1/rooms/${room}/webhooks/${id}`)).status, 200);
  });

  it("an implicit public room has no creator: only delete_any may add hooks", async () => {
    const room = uniqueRoom("acl-open");
    assert.equal((await (await as("amy", MEMBER)).call("POST", `/v1/rooms/${room}/webhooks`, hookUrl)).status, 403);
    assert.equal((await (await as("mod", MODERATOR)).call("POST", `/v1/rooms/${room}/webhooks`, hookUrl)).status, 201);
  });

  it("push subscriptions belong to the token's user", async () => {
    const amy = await as("amy", MEMBER);
    const browser = createECDH("prime256v1");
    const p256dh = browser.generateKeys().toString("base64url");
    const sub = {
      endpoint: "https://127.0.0.1:9/abc", // allowed by --outbound-allowed-networks; never called
      keys: { p256dh, auth: Buffer.alloc(16, 1).toString("base64url") },
    };
    assert.deepEqual(await amy.call("POST", "/v1/push/subscriptions", sub), {
      status: 201,
      body: { endpoint: sub.endpoint, user: "amy" },
    });
    const other = await (await as("bob", MEMBER)).call("DELETE", "/v1/push/subscriptions", { endpoint: sub.endpoint });
    assert.deepEqual(other.body, { endpoint: sub.endpoint, deleted: false });
    const mine = await amy.call("DELETE", "/v1/push/subscriptions", { endpoint: sub.endpoint });
    assert.deepEqual(mine.body, { endpoint: sub.endpoint, deleted: true });
  });
});
