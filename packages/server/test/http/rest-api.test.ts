import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { mintToken } from "#server/auth/mint-token.js";
import type { CapabilityMap } from "#server/auth/principal.js";
import { defaultConfig } from "#server/config/options.js";
import { silentLogger } from "#server/logger.js";
import { createParleyServer, type ParleyServer } from "#server/server.js";

const SECRET = "rest-test-secret";
const dir = mkdtempSync(join(tmpdir(), "parley-rest-"));
const webRoot = mkdtempSync(join(tmpdir(), "parley-rest-web-"));
writeFileSync(join(webRoot, "index.html"), "<!doctype html>");
let server: ParleyServer;
let base: string;

before(async () => {
  const config = {
    ...defaultConfig(),
    host: "127.0.0.1",
    port: 0,
    dataDir: dir,
    jwtSecret: SECRET,
    maxFrameBytes: 4096,
    webRoot,
  };
  config.maxMessageBytes = 1024;
  config.durability = "normal";
  server = createParleyServer(config, { logger: silentLogger() });
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
  rmSync(webRoot, { recursive: true, force: true });
});

const tokens = new Map<string, string>();
async function tokenFor(user: string, caps?: CapabilityMap, ttlSeconds = 600): Promise<string> {
  const key = `${user}:${JSON.stringify(caps)}:${ttlSeconds}`;
  if (!tokens.has(key)) tokens.set(key, await mintToken({ secret: SECRET, user, caps, ttlSeconds }));
  return tokens.get(key)!;
}

interface Reply {
  status: number;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- unvalidated JSON, checked field by field
}

async function call(method: string, path: string, as?: string | { token: string }, body?: unknown): Promise<Reply> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (typeof as === "string") headers.authorization = `Bearer ${await tokenFor(as)}`;
  else if (as) headers.authorization = `Bearer ${as.token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const res = await fetch(base + path, init);
  return { status: res.status, body: await res.json() };
}

function assertError(reply: Reply, status: number, code: string): void {
  assert.equal(reply.status, status, JSON.stringify(reply.body));
  assert.equal(reply.body.error.code, code);
  assert.equal(typeof reply.body.error.message, "string");
  assert.equal(typeof reply.body.error.retryable, "boolean");
}

describe("REST authentication", () => {
  it("requires a valid bearer token", async () => {
    assertError(await call("GET", "/v1/rooms"), 401, "UNAUTHORIZED");
    assertError(await call("GET", "/v1/rooms", { token: "garbage" }), 401, "UNAUTHORIZED");
    const res = await fetch(`${base}/v1/rooms`, { headers: { "x-parley-user": "alice" } });
    assert.equal(res.status, 401, "X-Parley-User only works in dev mode");
  });

  it("answers an expired token with TOKEN_EXPIRED, retryable", async () => {
    const expired = await mintToken({ secret: SECRET, user: "alice", ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 2100));
    const reply = await call("GET", "/v1/rooms", { token: expired });
    assertError(reply, 401, "TOKEN_EXPIRED");
    assert.equal(reply.body.error.retryable, true);
  });
});

describe("REST messages", () => {
  it("publishes with dedupe on cmid", async () => {
    const first = await call("POST", "/v1/rooms/rest-pub/messages", "alice", { cmid: "m1", body: { text: "hi" } });
    assert.equal(first.status, 201);
    assert.equal(first.body.seq, 1);
    assert.equal(first.body.dup, false);
    const again = await call("POST", "/v1/rooms/rest-pub/messages", "alice", { cmid: "m1", body: { text: "hi" } });
    assert.equal(again.status, 200);
    assert.deepEqual(again.body, { ...first.body, dup: true });
  });

  it("pages history forward and backward", async () => {
    for (let i = 1; i <= 5; i++)
      await call("POST", "/v1/rooms/rest-hist/messages", "alice", { cmid: `h${i}`, body: i });
    const latest = await call("GET", "/v1/rooms/rest-hist/messages?limit=2", "bob");
    assert.equal(latest.status, 200);
    assert.deepEqual(
      latest.body.events.map((e: { seq: number }) => e.seq),
      [4, 5],
    );
    assert.equal(latest.body.hasMore, true);
    assert.equal(typeof latest.body.epoch, "string");
    const older = await call("GET", "/v1/rooms/rest-hist/messages?before=2&limit=2", "bob");
    assert.deepEqual([older.body.events.map((e: { body: number }) => e.body), older.body.hasMore], [[1], false]);
    const fwd = await call("GET", "/v1/rooms/rest-hist/messages?after=1&limit=3", "bob");
    assert.deepEqual([fwd.body.events.map((e: { seq: number }) => e.seq), fwd.body.hasMore], [[2, 3, 4], true]);
    const rest = await call("GET", "/v1/rooms/rest-hist/messages?after=4&limit=3", "bob");
    assert.deepEqual([rest.body.events.length, rest.body.hasMore], [1, false]);
    // `after` with `before`: the window between them, read forward, as the WebSocket frame reads it.
    const window = await call("GET", "/v1/rooms/rest-hist/messages?after=1&before=4&limit=1", "bob");
    assert.deepEqual([window.body.events.map((e: { seq: number }) => e.seq), window.body.hasMore], [[2], true]);
    const whole = await call("GET", "/v1/rooms/rest-hist/messages?after=1&before=4", "bob");
    assert.deepEqual([whole.body.events.map((e: { seq: number }) => e.seq), whole.body.hasMore], [[2, 3], false]);
    const e = fwd.body.events[0];
    assert.deepEqual([e.room, e.from, e.kind, e.cmid], ["rest-hist", "alice", "message", "h2"]);
  });

  it("validates input and limits", async () => {
    const path = "/v1/rooms/rest-val/messages";
    assertError(await call("POST", path, "alice", "{not json"), 400, "BAD_JSON");
    assertError(await call("POST", path, "alice", [1]), 400, "BAD_REQUEST");
    assertError(await call("POST", path, "alice", { body: 1 }), 400, "BAD_REQUEST");
    assertError(await call("POST", path, "alice", { cmid: "x" }), 400, "BAD_REQUEST");
    assertError(await call("POST", path, "alice", { cmid: "x", kind: "Bad Kind", body: 1 }), 400, "BAD_REQUEST");
    assertError(
      await call("POST", "/v1/rooms/bad%20room/messages", "alice", { cmid: "x", body: 1 }),
      400,
      "BAD_REQUEST",
    );
    assertError(await call("POST", path, "alice", { cmid: "x", body: "y".repeat(2000) }), 413, "MESSAGE_TOO_LARGE");
    assertError(await call("POST", path, "alice", { cmid: "x", body: "y".repeat(5000) }), 413, "FRAME_TOO_LARGE");
    assertError(await call("GET", `${path}?before=x`, "alice"), 400, "BAD_REQUEST");
    assertError(await call("GET", `${path}?limit=-1`, "alice"), 400, "BAD_REQUEST");
  });

  it("answers BAD_REQUEST for a limit outside its documented range, on every route that takes one", async () => {
    const routes: Array<[string, number]> = [
      ["/v1/rooms/rest-lim/messages", 500],
      ["/v1/rooms/public", 500],
      ["/v1/search?q=hello", 500],
      ["/v1/rooms/rest-lim/messages/1/edits", 500],
      ["/v1/rooms/rest-lim/messages/1/thread", 500],
    ];
    for (const [route, max] of routes) {
      const at = (limit: string): string => `${route}${route.includes("?") ? "&" : "?"}limit=${limit}`;
      for (const bad of ["0", String(max + 1), "99999999", "1.5", "abc", ""]) {
        assertError(await call("GET", at(bad), "alice"), 400, "BAD_REQUEST");
      }
      assert.equal((await call("GET", at("1"), "alice")).status, 200, route);
      assert.equal((await call("GET", at(String(max)), "alice")).status, 200, route);
    }
  });

  it("enforces the token's capabilities", async () => {
    const reader = { token: await tokenFor("rita", { "news-*": ["history"] }) };
    assertError(await call("POST", "/v1/rooms/news-1/messages", reader, { cmid: "c", body: 1 }), 403, "FORBIDDEN");
    assert.equal((await call("GET", "/v1/rooms/news-1/messages", reader)).status, 200);
    assertError(await call("GET", "/v1/rooms/other/messages", reader), 403, "FORBIDDEN");
    const none = { token: await tokenFor("nobody", {}) };
    assertError(await call("GET", "/v1/rooms/news-1/messages", none), 403, "FORBIDDEN");
  });
});

describe("REST rooms and membership", () => {
  it("creates rooms; the creator is a member; ids are unique", async () => {
    const created = await call("POST", "/v1/rooms", "alice", { id: "r-pub", name: "Pub", type: "public" });
    assert.equal(created.status, 201);
    assert.deepEqual([created.body.id, created.body.type, created.body.createdBy], ["r-pub", "public", "alice"]);
    assertError(
      await call("POST", "/v1/rooms", "bob", { id: "r-pub", name: "Again", type: "public" }),
      409,
      "ROOM_EXISTS",
    );
    const generated = await call("POST", "/v1/rooms", "alice", { name: "No id", type: "public" });
    assert.equal(generated.status, 201);
    assert.match(generated.body.id, /^r-/);
    const mine = await call("GET", "/v1/rooms", "alice");
    assert.ok(mine.body.rooms.some((r: { id: string }) => r.id === "r-pub"));
    const pub = await call("GET", "/v1/rooms/public", "bob");
    assert.ok(pub.body.rooms.some((r: { id: string }) => r.id === "r-pub"));
    assertError(await call("POST", "/v1/rooms", "alice", { name: "x", type: "dm" }), 400, "BAD_REQUEST");
    // The whole `dm:` namespace is reserved, canonical ids or not (only exactly `dm:`: `DM:` is an ordinary id).
    for (const id of ["dm:a:b", "dm:b:a", "dm:x"]) {
      assertError(await call("POST", "/v1/rooms", "alice", { id, name: "x", type: "private" }), 400, "BAD_REQUEST");
    }
    assertError(await call("POST", "/v1/rooms", "alice", { id: "r-x", type: "public" }), 400, "BAD_REQUEST");
    const limited = { token: await tokenFor("lim", { "team-*": ["*"] }) };
    assertError(
      await call("POST", "/v1/rooms", limited, { id: "general2", name: "g", type: "private" }),
      403,
      "FORBIDDEN",
    );
  });

  it("lets anyone join and leave a public room", async () => {
    assert.equal((await call("POST", "/v1/rooms/r-pub/join", "bob")).status, 200);
    let members = await call("GET", "/v1/rooms/r-pub/members", "bob");
    assert.deepEqual(members.body.members.map((m: { user: string }) => m.user).sort(), ["alice", "bob"]);
    assert.deepEqual((await call("POST", "/v1/rooms/r-pub/leave", "bob")).body, {
      room: "r-pub",
      user: "bob",
      member: false,
    });
    members = await call("GET", "/v1/rooms/r-pub/members", "bob");
    assert.deepEqual(
      members.body.members.map((m: { user: string }) => m.user),
      ["alice"],
    );
    assertError(await call("POST", "/v1/rooms/no-such-room/join", "bob"), 404, "ROOM_NOT_FOUND");
  });

  it("views, renames and removes over REST; the directory lists who shares a room", async () => {
    const moderator = { "*": ["subscribe", "publish", "history"] } as const;
    assert.equal(
      (await call("POST", "/v1/rooms", "alice", { id: "r-team", name: "Team", type: "private" })).status,
      201,
    );
    assert.equal((await call("POST", "/v1/rooms/r-team/members", "alice", { user: "bob" })).status, 201);
    assertError(await call("GET", "/v1/rooms/r-tpyo", "bob"), 404, "ROOM_NOT_FOUND");
    assertError(await call("GET", "/v1/rooms/r-tpyo", "bob"), 404, "ROOM_NOT_FOUND"); // looking created nothing
    assertError(await call("GET", "/v1/rooms/r-team", "mallory"), 403, "FORBIDDEN");
    const view = await call("GET", "/v1/rooms/r-team", "bob");
    assert.deepEqual(view.body, {
      id: "r-team",
      type: "private",
      name: "Team",
      createdBy: "alice",
      member: true,
      moderator: false,
      implicit: false,
    });
    assert.equal((await call("GET", "/v1/rooms/r-team", "alice")).body.moderator, true, "the creator moderates");
    const bobOnly = { token: await tokenFor("bob", moderator) };
    assertError(await call("PATCH", "/v1/rooms/r-team", bobOnly, { name: "Mine" }), 403, "FORBIDDEN");
    assertError(await call("PATCH", "/v1/rooms/r-team", "alice", { name: "" }), 400, "BAD_REQUEST");
    assert.equal((await call("PATCH", "/v1/rooms/r-team", "alice", { name: "Team 2" })).body.name, "Team 2");
    const users = await call("GET", "/v1/users?q=B", "alice");
    assert.deepEqual(users.body, { users: ["bob"] });
    assertError(await call("GET", "/v1/users?limit=0", "alice"), 400, "BAD_REQUEST");
    assertError(await call("DELETE", "/v1/rooms/r-team/members/alice", bobOnly), 403, "FORBIDDEN");
    const removed = await call("DELETE", "/v1/rooms/r-team/members/bob", "alice");
    assert.deepEqual(removed.body, { room: "r-team", user: "bob", member: false });
    assertError(await call("GET", "/v1/rooms/r-team", "bob"), 403, "FORBIDDEN");
    const events = (await call("GET", "/v1/rooms/r-team/messages", "alice")).body.events;
    assert.deepEqual(events.at(-1).body, { type: "member.left", user: "bob" });
  });

  it("keeps private rooms to their members, who may add others", async () => {
    assert.equal(
      (await call("POST", "/v1/rooms", "alice", { id: "r-priv", name: "Priv", type: "private" })).status,
      201,
    );
    assertError(await call("POST", "/v1/rooms/r-priv/join", "mallory"), 403, "FORBIDDEN");
    assertError(await call("GET", "/v1/rooms/r-priv/messages", "mallory"), 403, "FORBIDDEN");
    assertError(await call("POST", "/v1/rooms/r-priv/messages", "mallory", { cmid: "c", body: 1 }), 403, "FORBIDDEN");
    assertError(await call("GET", "/v1/rooms/r-priv/members", "mallory"), 403, "FORBIDDEN");
    assertError(await call("POST", "/v1/rooms/r-priv/members", "mallory", { user: "mallory" }), 403, "FORBIDDEN");
    const pub = await call("GET", "/v1/rooms/public", "mallory");
    assert.ok(!pub.body.rooms.some((r: { id: string }) => r.id === "r-priv"));
    assert.equal((await call("POST", "/v1/rooms/r-priv/members", "alice", { user: "bob" })).status, 201);
    assert.equal((await call("POST", "/v1/rooms/r-priv/messages", "bob", { cmid: "c", body: "hi" })).status, 201);
    const events = (await call("GET", "/v1/rooms/r-priv/messages", "bob")).body.events;
    assert.deepEqual(
      events.map((e: { kind: string; body: unknown }) => [e.kind, e.body]),
      [
        ["system", { type: "room.private", members: ["alice"], name: "Priv" }], // seq 1: the access change of its creation
        ["system", { type: "member.joined", user: "bob" }], // from alice: she added him (docs/chat.md)
        ["message", "hi"],
      ],
    );
    assert.equal((await call("POST", "/v1/rooms/r-priv/join", "bob")).status, 200, "join is a no-op for members");
    assertError(await call("POST", "/v1/rooms/r-priv/members", "alice", { user: "bad user" }), 400, "BAD_REQUEST");
  });

  it("refuses to claim an open room already in use: no takeover by POST /v1/rooms", async () => {
    assert.equal((await call("POST", "/v1/rooms/lobby/messages", "alice", { cmid: "l1", body: "hi" })).status, 201);
    for (const type of ["private", "public"]) {
      assertError(await call("POST", "/v1/rooms", "mallory", { id: "lobby", name: "mine", type }), 409, "ROOM_EXISTS");
    }
    assert.equal((await call("GET", "/v1/rooms/lobby/messages", "alice")).body.events.length, 1, "alice keeps it");
    assertError(await call("GET", "/v1/rooms/lobby/webhooks", "mallory"), 403, "FORBIDDEN");
    const unused = await call("POST", "/v1/rooms", "mallory", { id: "lobby-2", name: "new", type: "private" });
    assert.equal(unused.status, 201, "an id without events is free to take");
  });

  it("lists only the public rooms the token may subscribe to", async () => {
    for (const id of ["team-a1", "other-a1"]) {
      assert.equal((await call("POST", "/v1/rooms", "alice", { id, name: id, type: "public" })).status, 201);
    }
    const scoped = { token: await tokenFor("tess", { "team-*": ["subscribe"], "other-a1": ["publish"] }) };
    const ids = (await call("GET", "/v1/rooms/public", scoped)).body.rooms.map((r: { id: string }) => r.id);
    assert.deepEqual(ids, ["team-a1"]);
    const all = (await call("GET", "/v1/rooms/public", "alice")).body.rooms.map((r: { id: string }) => r.id);
    assert.ok(all.includes("team-a1") && all.includes("other-a1"));
  });

  it("opens DMs with both members and keeps others out", async () => {
    const opened = await call("POST", "/v1/dms", "alice", { user: "bob" });
    assert.equal(opened.status, 201);
    assert.deepEqual([opened.body.id, opened.body.type], ["dm:alice:bob", "dm"]);
    const again = await call("POST", "/v1/dms", "bob", { user: "alice" });
    assert.deepEqual([again.status, again.body.id], [200, "dm:alice:bob"]);
    const members = await call("GET", "/v1/rooms/dm:alice:bob/members", "bob");
    assert.deepEqual(members.body.members.map((m: { user: string }) => m.user).sort(), ["alice", "bob"]);
    assert.equal(
      (await call("POST", "/v1/rooms/dm:alice:bob/messages", "bob", { cmid: "d1", body: "yo" })).status,
      201,
    );
    assertError(await call("GET", "/v1/rooms/dm:alice:bob/messages", "carol"), 403, "FORBIDDEN");
    assertError(
      await call("POST", "/v1/rooms/dm:alice:bob/messages", "carol", { cmid: "d", body: 1 }),
      403,
      "FORBIDDEN",
    );
    assertError(await call("POST", "/v1/rooms/dm:alice:bob/join", "carol"), 403, "FORBIDDEN");
    assertError(await call("POST", "/v1/rooms/dm:alice:bob/members", "alice", { user: "carol" }), 403, "FORBIDDEN");
    assertError(await call("POST", "/v1/dms", "alice", { user: "alice" }), 400, "BAD_REQUEST");
    assert.ok((await call("GET", "/v1/rooms", "bob")).body.rooms.some((r: { id: string }) => r.id === "dm:alice:bob"));
  });

  it("reports presence (empty without connections) and checks access", async () => {
    assert.deepEqual((await call("GET", "/v1/rooms/r-pub/presence", "bob")).body, { room: "r-pub", members: [] });
    assertError(await call("GET", "/v1/rooms/r-priv/presence", "mallory"), 403, "FORBIDDEN");
  });
});

/** A raw request (fetch refuses TRACE): status, Allow header and error code. */
function rawCall(method: string, path: string): Promise<{ status: number; allow?: string; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(base + path, { method }, (res) => {
      let text = "";
      res.on("data", (chunk: Buffer) => (text += String(chunk)));
      res.on("end", () => {
        const code = (JSON.parse(text || "{}") as { error?: { code: string } }).error?.code;
        resolve({ status: res.statusCode ?? 0, allow: res.headers.allow, code });
      });
    });
    req.on("error", reject);
    req.end();
  });
}

describe("HTTP methods", () => {
  it("answers a known path with the wrong method 405 METHOD_NOT_ALLOWED and Allow", async () => {
    assert.deepEqual(await rawCall("TRACE", "/v1/rooms"), {
      status: 405,
      allow: "GET, POST, HEAD",
      code: "METHOD_NOT_ALLOWED",
    });
    assert.deepEqual(await rawCall("DELETE", "/v1/search"), {
      status: 405,
      allow: "GET, HEAD",
      code: "METHOD_NOT_ALLOWED",
    });
    assert.deepEqual(await rawCall("TRACE", "/"), { status: 405, allow: "GET, HEAD", code: "METHOD_NOT_ALLOWED" });
    assert.deepEqual(await rawCall("TRACE", "/v1/nothing-here"), {
      status: 404,
      allow: undefined,
      code: "NOT_FOUND",
    });
  });
});
