import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { defaultConfig } from "#server/config/options.js";
import { silentLogger } from "#server/logger.js";
import { createParleyServer, type ParleyServer } from "#server/server.js";

const dir = mkdtempSync(join(tmpdir(), "parley-reads-"));
let server: ParleyServer;
let base: string;

before(async () => {
  const config = { ...defaultConfig(), host: "127.0.0.1", port: 0, dataDir: dir, dev: true, durability: "normal" };
  server = createParleyServer(config as ReturnType<typeof defaultConfig>, { logger: silentLogger() });
  base = (await server.start()).url;
});
after(async () => {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

// Test replies are checked field by field.
async function call(
  method: string,
  path: string,
  user?: string,
  body?: unknown,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- unvalidated JSON, checked field by field
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (user) headers["x-parley-user"] = user;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = JSON.stringify(body);
  const res = await fetch(base + path, init);
  return { status: res.status, body: await res.json() };
}

let n = 0;
const say = (room: string, user: string) =>
  call("POST", `/v1/rooms/${room}/messages`, user, { cmid: `c${++n}`, body: { text: `m${n}` } });

describe("GET /v1/info", () => {
  it("tells anyone whether dev mode is on, and the version", async () => {
    const reply = await call("GET", "/v1/info");
    assert.equal(reply.status, 200);
    assert.equal(reply.body.dev, true);
    assert.match(reply.body.version, /^\d+\.\d+\.\d+/);
  });
});

describe("read positions and unread counts", () => {
  it("counts others' messages after the read position, and marking read clears them", async () => {
    assert.equal((await call("POST", "/v1/rooms", "ann", { id: "reads-1", type: "public", name: "R" })).status, 201);
    assert.equal((await call("POST", "/v1/rooms/reads-1/join", "bob")).status, 200);
    // seq 1 room.created, seq 2 member.joined (bob): system events, never counted; then messages 3–7.
    for (const user of ["ann", "bob", "bob", "ann", "bob"]) assert.equal((await say("reads-1", user)).status, 201);
    const roomOf = async (user: string) =>
      (await call("GET", "/v1/rooms", user)).body.rooms.find((r: { id: string }) => r.id === "reads-1");
    assert.deepEqual(
      { ...(await roomOf("ann")), createdAt: 0 },
      {
        id: "reads-1",
        type: "public",
        name: "R",
        createdBy: "ann",
        createdAt: 0,
        lastReadSeq: 0,
        lastSeq: 7,
        unread: 3,
      },
    );
    assert.equal((await roomOf("bob")).unread, 2);
    const read = await call("POST", "/v1/rooms/reads-1/read", "ann", { seq: 5 });
    assert.deepEqual(read.body, { room: "reads-1", lastReadSeq: 5 });
    assert.equal((await roomOf("ann")).unread, 1);
    // Never backwards, and clamped to the head.
    assert.equal((await call("POST", "/v1/rooms/reads-1/read", "ann", { seq: 1 })).body.lastReadSeq, 5);
    assert.equal((await call("POST", "/v1/rooms/reads-1/read", "ann", { seq: 999 })).body.lastReadSeq, 7);
    assert.equal((await roomOf("ann")).unread, 0);
  });

  it("refuses non-members and bad positions", async () => {
    assert.equal((await call("POST", "/v1/rooms", "ann", { id: "reads-2", type: "private", name: "P" })).status, 201);
    const stranger = await call("POST", "/v1/rooms/reads-2/read", "eve", { seq: 0 });
    assert.equal(stranger.status, 403);
    assert.equal(stranger.body.error.code, "FORBIDDEN");
    for (const seq of [-1, 1.5, "3", null]) {
      const bad = await call("POST", "/v1/rooms/reads-2/read", "ann", { seq });
      assert.equal(bad.status, 400, String(seq));
      assert.equal(bad.body.error.code, "BAD_REQUEST");
    }
  });

  it("needs a user", async () => {
    assert.equal((await call("POST", "/v1/rooms/reads-2/read", undefined, { seq: 0 })).status, 401);
  });
});
