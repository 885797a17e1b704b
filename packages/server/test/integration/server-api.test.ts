/**
 * The server API against a live server (docs/server-api.md): keys (missing, wrong, scoped, rotated,
 * off), publishing as a bot through the one pipeline, broadcast, rooms and members, presence and
 * occupancy, and disconnecting a user's sessions.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, describe, test } from "node:test";
import { CLOSE, type EventFrame } from "@parley/protocol";
import { serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";
import { ServerProcess } from "../support/server-process.js";
import { KeysFile, serverApi, testKey } from "../support/server-keys.js";
import { restAs } from "../support/rest-as.js";

const keys = new KeysFile();
const api = testKey("backend-1", ["api"]);
const adminOnly = testKey("dash", ["admin"]);
keys.write([api.entry, adminOnly.entry]);
after(() => keys.cleanup());

/** Every server-API route, with a path that exists. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ["POST", "/v1/server/rooms/r1/messages"],
  ["POST", "/v1/server/broadcast"],
  ["POST", "/v1/server/rooms"],
  ["DELETE", "/v1/server/rooms/r1"],
  ["GET", "/v1/server/rooms/r1/members"],
  ["POST", "/v1/server/rooms/r1/members"],
  ["DELETE", "/v1/server/rooms/r1/members/u1"],
  ["GET", "/v1/server/rooms/r1/presence"],
  ["GET", "/v1/server/occupancy"],
  ["POST", "/v1/server/users/u1/disconnect"],
];

/** An empty JSON body where the method may carry one. */
const bodyFor = (method: string): object | undefined => (method === "GET" ? undefined : {});

const message = (text: string, from = "echo-bot") => ({ from, cmid: randomUUID(), body: { text } });

describe("server API", () => {
  const suite = serverSuite({ args: ["--server-keys-file", keys.path] });
  const it = suite.it;
  const call = () => serverApi(suite.server.httpUrl, api.credential);

  it("refuses a missing, malformed or unknown key (401) and a key without the api scope (403), on every route", async () => {
    const secret = api.credential.split(".")[1] ?? "";
    for (const [method, path] of ROUTES) {
      for (const credential of [undefined, "no-dot", `nobody.${secret}`, `backend-1.${secret}x`]) {
        const reply = await serverApi(suite.server.httpUrl, credential)(method, path, bodyFor(method));
        assert.equal(reply.status, 401, `${method} ${path} with ${String(credential)}`);
        assert.equal((reply.body as { error: { code: string } }).error.code, "UNAUTHORIZED");
      }
      const scoped = await serverApi(suite.server.httpUrl, adminOnly.credential)(method, path, bodyFor(method));
      assert.equal(scoped.status, 403, `${method} ${path}`);
    }
    // A user's token (dev mode: X-Parley-User) is no server key.
    const asUser = await restAs(suite.server.httpUrl, "alice").call("GET", "/v1/server/occupancy");
    assert.equal(asUser.status, 401);
  });

  it("rotates keys without a restart: a new key works at once, a removed one is refused", async () => {
    const next = testKey("backend-2");
    const before = await serverApi(suite.server.httpUrl, next.credential)("GET", "/v1/server/occupancy");
    assert.equal(before.status, 401);
    keys.write([api.entry, adminOnly.entry, next.entry]);
    assert.equal((await serverApi(suite.server.httpUrl, next.credential)("GET", "/v1/server/occupancy")).status, 200);
    keys.write([next.entry, adminOnly.entry]);
    assert.equal((await serverApi(suite.server.httpUrl, api.credential)("GET", "/v1/server/occupancy")).status, 401);
    assert.equal((await serverApi(suite.server.httpUrl, next.credential)("GET", "/v1/server/occupancy")).status, 200);
    keys.write([api.entry, adminOnly.entry]);
    assert.equal((await call()("GET", "/v1/server/occupancy")).status, 200);
  });

  it("publishes as a bot through the one pipeline: subscribers get it, a retried cmid is a duplicate", async (pool) => {
    const room = uniqueRoom("sapi-pub");
    const alice = await pool.connect({ user: "alice" });
    await subscribe(alice, room);
    const input = message("hello from the backend");
    const first = await call()<{ seq: number; dup: boolean }>("POST", `/v1/server/rooms/${room}/messages`, input);
    assert.equal(first.status, 201);
    assert.equal(first.body.dup, false);
    const [event] = await alice.waitForEvents(room, 1);
    assert.deepEqual([event?.from, event?.seq, event?.body], ["echo-bot", first.body.seq, input.body]);
    const retry = await call()<{ seq: number; dup: boolean }>("POST", `/v1/server/rooms/${room}/messages`, input);
    assert.deepEqual([retry.status, retry.body.seq, retry.body.dup], [200, first.body.seq, true]);
    // The same cmid from another author is the pipeline's CMID_CONFLICT.
    const other = await call()("POST", `/v1/server/rooms/${room}/messages`, { ...input, from: "other-bot" });
    assert.equal(other.status, 409);
  });

  it("answers bad publishes with the catalogue's codes", async () => {
    const room = uniqueRoom("sapi-bad");
    const path = `/v1/server/rooms/${room}/messages`;
    const cases: Array<[unknown, number, string]> = [
      [{ cmid: "c1", body: { text: "x" } }, 400, "BAD_REQUEST"], // no from
      [{ from: "bad user", cmid: "c1", body: { text: "x" } }, 400, "BAD_REQUEST"],
      [{ from: "bot", cmid: "", body: { text: "x" } }, 400, "BAD_REQUEST"],
      [{ from: "bot", cmid: "c1" }, 400, "BAD_REQUEST"], // no body
      [{ from: "bot", cmid: "c1", kind: "system", body: {} }, 400, "BAD_EVENT"],
      [{ from: "bot", cmid: "c1", body: { text: "x".repeat(20_000) } }, 413, "MESSAGE_TOO_LARGE"],
      ["not json", 400, "BAD_JSON"],
      [[1, 2], 400, "BAD_REQUEST"],
    ];
    for (const [body, status, code] of cases) {
      const reply = await call()<{ error: { code: string } }>("POST", path, body);
      assert.deepEqual([reply.status, reply.body.error.code], [status, code], JSON.stringify(body).slice(0, 80));
    }
    const badRoom = await call()("POST", "/v1/server/rooms/bad%20room/messages", message("x"));
    assert.equal(badRoom.status, 400);
  });

  it("broadcasts to many rooms with a result per room, idempotent per room on retry", async (pool) => {
    const open = [uniqueRoom("sapi-bc"), uniqueRoom("sapi-bc")];
    const closed = await call()<{ id: string }>("POST", "/v1/server/rooms", {
      type: "private",
      name: "Closed",
      from: "owner",
    });
    const rooms = [...open, closed.body.id];
    const watcher = await pool.connect({ user: "watcher" });
    for (const room of open) await subscribe(watcher, room);
    const input = { ...message("maintenance at noon", "ops-bot"), rooms };
    type Result = { room: string; seq?: number; dup?: boolean; error?: { code: string } };
    const first = await call()<{ results: Result[] }>("POST", "/v1/server/broadcast", input);
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.results.map((r) => [r.room, r.error?.code ?? r.dup]),
      [
        [open[0], false],
        [open[1], false],
        [closed.body.id, "FORBIDDEN"],
      ],
    );
    for (const room of open) assert.equal((await watcher.waitForEvents(room, 1))[0]?.from, "ops-bot");
    const retry = await call()<{ results: Result[] }>("POST", "/v1/server/broadcast", input);
    assert.deepEqual(
      retry.body.results.slice(0, 2).map((r) => [r.seq, r.dup]),
      first.body.results.slice(0, 2).map((r) => [r.seq, true]),
    );
    for (const bad of [
      { ...input, rooms: [] },
      { ...input, rooms: [open[0], open[0]] },
      { ...input, rooms: "x" },
    ]) {
      assert.equal((await call()("POST", "/v1/server/broadcast", bad)).status, 400);
    }
    const tooMany = Array.from({ length: 101 }, (_, i) => `r${i}`);
    assert.equal((await call()("POST", "/v1/server/broadcast", { ...input, rooms: tooMany })).status, 400);
  });

  it("creates rooms with members, adds and removes members, and the room's rule follows", async (pool) => {
    const created = await call()<{ id: string; createdBy: string; type: string }>("POST", "/v1/server/rooms", {
      type: "private",
      name: "Billing",
      from: "billing-bot",
      members: ["alice"],
    });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.createdBy, created.body.type], ["billing-bot", "private"]);
    const room = created.body.id;
    const members = async () =>
      (await call()<{ members: Array<{ user: string }> }>("GET", `/v1/server/rooms/${room}/members`)).body.members
        .map((m) => m.user)
        .sort();
    assert.deepEqual(await members(), ["alice", "billing-bot"]);
    const alice = await pool.connect({ user: "alice" });
    await subscribe(alice, room);
    const bob = await pool.connect({ user: "bob" });
    assert.equal((await bob.request({ t: "sub", room })).t, "error");
    assert.equal((await call()("POST", `/v1/server/rooms/${room}/members`, { user: "bob" })).status, 201);
    await subscribe(bob, room);
    const removed = await call()("DELETE", `/v1/server/rooms/${room}/members/bob?from=billing-bot`);
    assert.deepEqual(removed.body, { room, user: "bob", member: false });
    await bob.waitFor((f) => f.t === "unsubscribed" && f.room === room && f.code === "FORBIDDEN");
    assert.deepEqual(await members(), ["alice", "billing-bot"]);
    // Changes are announced from `from`, else from the key's id.
    const changes = (await alice.waitForEvents(room, 2)).map((e: EventFrame) => [e.from, e.body]);
    assert.deepEqual(changes, [
      ["backend-1", { type: "member.joined", user: "bob" }],
      ["billing-bot", { type: "member.left", user: "bob" }],
    ]);
    // Bad input and rooms that cannot change.
    const dm = await restAs(suite.server.httpUrl, "alice").call<{ id: string }>("POST", "/v1/dms", { user: "bob" });
    for (const [method, path, body, status] of [
      ["POST", "/v1/server/rooms", { type: "secret", name: "x" }, 400],
      ["POST", "/v1/server/rooms", { type: "public", name: "" }, 400],
      ["POST", "/v1/server/rooms", { type: "public", name: "x", members: "alice" }, 400],
      ["POST", "/v1/server/rooms", { type: "public", name: "x", from: "no such" }, 400],
      ["POST", "/v1/server/rooms", { id: room, type: "public", name: "x" }, 409],
      ["POST", `/v1/server/rooms/${room}/members`, { user: "bad user" }, 400],
      ["POST", `/v1/server/rooms/never-${room}/members`, { user: "carol" }, 404],
      ["POST", `/v1/server/rooms/${encodeURIComponent(dm.body.id)}/members`, { user: "carol" }, 403],
      ["GET", `/v1/server/rooms/never-${room}/members`, undefined, 404],
    ] as const) {
      assert.equal((await call()(method, path, body)).status, status, `${method} ${path} ${JSON.stringify(body)}`);
    }
  });

  it("deletes a room: every subscription ends, nobody reads it again, the id stays taken", async (pool) => {
    const created = await call()<{ id: string }>("POST", "/v1/server/rooms", {
      type: "public",
      name: "Doomed",
      from: "bot",
    });
    const room = created.body.id;
    await call()("POST", `/v1/server/rooms/${room}/messages`, message("last words", "bot"));
    const alice = await pool.connect({ user: "alice" });
    await subscribe(alice, room);
    const deleted = await call()("DELETE", `/v1/server/rooms/${room}?from=bot`);
    assert.deepEqual([deleted.status, deleted.body], [200, { room, deleted: true }]);
    await alice.waitFor((f) => f.t === "unsubscribed" && f.room === room && f.code === "ROOM_NOT_FOUND");
    const sub = await alice.request({ t: "sub", room });
    assert.deepEqual([sub.t, sub.t === "error" && sub.code], ["error", "FORBIDDEN"]);
    const rest = restAs(suite.server.httpUrl, "alice");
    assert.equal((await rest.call("GET", `/v1/rooms/${room}`)).status, 404);
    assert.equal((await rest.call("GET", `/v1/rooms/${room}/messages`)).status, 403);
    assert.equal((await rest.call("POST", `/v1/rooms/${room}/join`)).status, 404);
    assert.equal((await call()("POST", `/v1/server/rooms/${room}/messages`, message("again", "bot"))).status, 403);
    assert.equal((await call()("POST", "/v1/server/rooms", { id: room, type: "public", name: "Again" })).status, 409);
    assert.equal((await call()("POST", `/v1/server/rooms/${room}/members`, { user: "alice" })).status, 404);
    // Idempotent: a repeat (a retry, or another key) answers the same and writes no second event.
    assert.equal((await call()("DELETE", `/v1/server/rooms/${room}`)).status, 200);
    assert.equal((await call()("DELETE", `/v1/server/rooms/never-${room}`)).status, 404);
    const dm = await restAs(suite.server.httpUrl, "alice").call<{ id: string }>("POST", "/v1/dms", { user: "dave" });
    assert.equal((await call()("DELETE", `/v1/server/rooms/${encodeURIComponent(dm.body.id)}`)).status, 403);
  });

  it("reads presence and occupancy: users and connections per room", async (pool) => {
    const room = uniqueRoom("sapi-presence");
    const quiet = uniqueRoom("sapi-presence");
    for (const user of ["alice", "alice", "bob"]) await subscribe(await pool.connect({ user }), room);
    await subscribe(await pool.connect({ user: "carol" }), quiet);
    const presence = await call()("GET", `/v1/server/rooms/${room}/presence`);
    assert.deepEqual(presence.body, {
      room,
      users: 2,
      connections: 3,
      members: [
        { user: "alice", connections: 2 },
        { user: "bob", connections: 1 },
      ],
    });
    type Occupancy = { rooms: Array<{ room: string; users: number; connections: number }> };
    const all = await call()<Occupancy>("GET", "/v1/server/occupancy?limit=1000");
    const mine = all.body.rooms.filter((r) => r.room === room || r.room === quiet);
    assert.deepEqual(mine, [
      { room, users: 2, connections: 3 },
      { room: quiet, users: 1, connections: 1 },
    ]);
    assert.equal((await call()("GET", "/v1/server/occupancy?limit=0")).status, 400);
  });

  it("disconnects every session of a user: terminal by default, or asking them to reconnect", async (pool) => {
    const a1 = await pool.connect({ user: "erin" });
    const a2 = await pool.connect({ user: "erin" });
    const other = await pool.connect({ user: "frank" });
    const reply = await call()("POST", "/v1/server/users/erin/disconnect");
    assert.deepEqual(reply.body, { user: "erin", reconnect: false, closedHere: 2 });
    for (const c of [a1, a2]) assert.equal((await c.waitClosed()).code, CLOSE.DISCONNECTED);
    const again = await pool.connect({ user: "erin" });
    await call()("POST", "/v1/server/users/erin/disconnect", { reconnect: true });
    assert.equal((await again.waitClosed()).code, CLOSE.RECONNECT_REQUESTED);
    assert.equal(other.closeInfo, undefined, "other users keep their sessions");
    assert.equal((await call()("POST", "/v1/server/users/erin/disconnect", { reconnect: "yes" })).status, 400);
    assert.equal((await call()("POST", "/v1/server/users/bad%20user/disconnect")).status, 400);
  });
});

describe("server API without serverKeysFile", () => {
  test("every route answers 404 SERVER_API_DISABLED, whatever the credential", async () => {
    const server = await ServerProcess.start();
    try {
      for (const [method, path] of ROUTES) {
        const reply = await serverApi(server.httpUrl, api.credential)<{ error: { code: string } }>(
          method,
          path,
          bodyFor(method),
        );
        assert.deepEqual([reply.status, reply.body.error.code], [404, "SERVER_API_DISABLED"], `${method} ${path}`);
      }
    } finally {
      await server.cleanup();
    }
  });
});
