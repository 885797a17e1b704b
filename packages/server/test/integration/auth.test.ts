/**
 * Auth against a server started with --jwt-secret (no dev mode): tokens are
 * minted here with jose, independently of the server's own minting code.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { SignJWT, UnsecuredJWT } from "jose";
import { CLOSE, type ErrorFrame } from "@parley/protocol";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CLI_PATH } from "../support/server-process.js";
import { RawClient } from "../support/raw-client.js";
import { publish, serverSuite, subscribe, type ClientPool, uniqueRoom } from "../support/fixtures.js";

const SECRET = "integration-secret-0123456789abcdef";

interface TokenOptions {
  user: string;
  caps?: Record<string, string[]>;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  secret?: string;
}

function mint({ user, caps = { "*": ["*"] }, expiresIn = 300, secret = SECRET }: TokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ caps })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user)
    .setIssuedAt(now - 600)
    .setExpirationTime(now + expiresIn)
    .sign(new TextEncoder().encode(secret));
}

/** Sends `connect` with `fields` and expects a refusal: an error frame then a close. */
async function refused(
  pool: ClientPool,
  fields: Record<string, unknown>,
): Promise<{ error: ErrorFrame; close: number }> {
  const c = await pool.open();
  const reply = await c.request({ t: "connect", versions: [1], ...fields });
  assert.equal(reply.t, "error", JSON.stringify(reply));
  const { code } = await c.waitClosed();
  return { error: reply as ErrorFrame, close: code };
}

describe("auth", () => {
  const suite = serverSuite({ dev: false, args: ["--jwt-secret", SECRET, "--heartbeat-ms", "200"] });
  const it = suite.it;

  it("a valid token connects as its subject", async (pool) => {
    const c = await pool.connect({ token: await mint({ user: "alice" }) });
    assert.equal(c.connected?.user, "alice");
    assert.equal(c.connected?.version, 1);
  });

  it("no token: UNAUTHORIZED, close 4500; a dev-mode user name is not enough", async (pool) => {
    const none = await refused(pool, {});
    assert.equal(none.error.code, "UNAUTHORIZED");
    assert.equal(none.error.retryable, false);
    assert.equal(none.close, CLOSE.UNAUTHORIZED);
    const devUser = await refused(pool, { user: "alice" });
    assert.equal(devUser.error.code, "UNAUTHORIZED");
    assert.equal(devUser.close, CLOSE.UNAUTHORIZED);
  });

  it("forged signature, garbage token: UNAUTHORIZED", async (pool) => {
    const forged = await mint({ user: "alice", secret: "not-the-server-secret-0123456789" });
    assert.equal((await refused(pool, { token: forged })).error.code, "UNAUTHORIZED");
    const valid = await mint({ user: "alice" });
    const [h, , s] = valid.split(".");
    const payload = Buffer.from(JSON.stringify({ sub: "root", caps: { "*": ["*"] }, exp: 9e9 })).toString("base64url");
    const swapped = await refused(pool, { token: `${h}.${payload}.${s}` });
    assert.equal(swapped.error.code, "UNAUTHORIZED");
    assert.equal((await refused(pool, { token: "not.a.jwt" })).error.code, "UNAUTHORIZED");
  });

  it("alg none: UNAUTHORIZED", async (pool) => {
    const unsecured = new UnsecuredJWT({ caps: { "*": ["*"] } }).setSubject("alice").setExpirationTime("5m").encode();
    const result = await refused(pool, { token: unsecured });
    assert.equal(result.error.code, "UNAUTHORIZED");
    assert.equal(result.close, CLOSE.UNAUTHORIZED);
  });

  it("expired token: TOKEN_EXPIRED (retryable), close 4007", async (pool) => {
    const result = await refused(pool, { token: await mint({ user: "alice", expiresIn: -60 }) });
    assert.equal(result.error.code, "TOKEN_EXPIRED");
    assert.equal(result.error.retryable, true);
    assert.equal(result.close, CLOSE.TOKEN_EXPIRED);
  });

  it("a token that expires while connected: TOKEN_EXPIRED, close 4007", async (pool) => {
    const c = await pool.connect({ token: await mint({ user: "alice", expiresIn: 2 }) });
    const { code } = await c.waitClosed(6_000);
    assert.equal(code, CLOSE.TOKEN_EXPIRED);
    assert.equal(c.errors().at(-1)?.code, "TOKEN_EXPIRED");
  });

  it("capabilities: subscribe allowed but publish forbidden on a pattern", async (pool) => {
    const room = uniqueRoom("news");
    const other = uniqueRoom("chat");
    const token = await mint({ user: "reader", caps: { "news-*": ["subscribe", "history"], [other]: ["*"] } });
    const reader = await pool.connect({ token });
    const writer = await pool.connect({ token: await mint({ user: "writer" }) });

    await subscribe(reader, room);
    const denied = await reader.request({ t: "pub", room, cmid: "nope", body: "x" });
    assert.equal(denied.t, "error");
    assert.equal((denied as ErrorFrame).code, "FORBIDDEN");
    assert.equal((denied as ErrorFrame).retryable, false);
    const presence = await reader.request({ t: "presence", room });
    assert.equal((presence as ErrorFrame).code, "FORBIDDEN");

    // Nothing reached the room; a permitted writer's message does reach the reader.
    const ack = await publish(writer, room, "hello");
    assert.equal(ack.seq, 1);
    assert.equal((await reader.waitForEvents(room, 1))[0]!.body, "hello");

    // Outside the pattern nothing is allowed; the exact room with "*" allows publishing.
    const outside = await reader.request({ t: "sub", room: uniqueRoom("chat") });
    assert.equal((outside as ErrorFrame).code, "FORBIDDEN");
    assert.equal((await publish(reader, other, "mine")).seq, 1);
  });

  it("a DM room admits only its two users, whatever the token's capabilities", async (pool) => {
    const dm = `dm:alice-${process.pid}:bob-${process.pid}`;
    const alice = await pool.connect({ token: await mint({ user: `alice-${process.pid}` }) });
    const carol = await pool.connect({ token: await mint({ user: `carol-${process.pid}` }) });
    await subscribe(alice, dm);
    assert.equal((await publish(alice, dm, "psst")).seq, 1);
    assert.equal(((await carol.request({ t: "sub", room: dm })) as ErrorFrame).code, "FORBIDDEN");
    assert.equal(((await carol.request({ t: "history", room: dm })) as ErrorFrame).code, "FORBIDDEN");
    const denied = await carol.request({ t: "pub", room: dm, cmid: "intrude", body: "x" });
    assert.equal((denied as ErrorFrame).code, "FORBIDDEN");
    assert.deepEqual(
      alice.events(dm).map((e) => e.body),
      ["psst"],
    );
  });

  it("`parley token` mints a token the server accepts, with the given capabilities", async (pool) => {
    const room = uniqueRoom("cli");
    const caps = JSON.stringify({ [room]: ["subscribe"] });
    const args = [CLI_PATH, "token", "--user", "carol", "--jwt-secret", SECRET, "--caps", caps, "--ttl", "5m"];
    const { stdout } = await promisify(execFile)(process.execPath, args);
    const c = await pool.connect({ token: stdout.trim() });
    assert.equal(c.connected?.user, "carol");
    assert.equal((await subscribe(c, room)).room, room);
    const denied = await c.request({ t: "pub", room, cmid: "cli-1", body: 1 });
    assert.equal((denied as ErrorFrame).code, "FORBIDDEN");
  });

  it("unsupported protocol version: UNSUPPORTED_VERSION, close 4501", async (pool) => {
    const result = await refused(pool, { versions: [99, 1000], token: await mint({ user: "alice" }) });
    assert.equal(result.error.code, "UNSUPPORTED_VERSION");
    assert.equal(result.close, CLOSE.UNSUPPORTED_VERSION);
  });

  it("version negotiation picks the highest common version", async () => {
    const c = await RawClient.connect(suite.server.wsUrl, {
      versions: [7, 1, 0],
      token: await mint({ user: "alice" }),
    });
    try {
      assert.equal(c.connected?.version, 1);
    } finally {
      c.terminate();
    }
  });

  it("REST: bearer token required, dev header ignored", async () => {
    const room = uniqueRoom("rest");
    const url = `${suite.server.httpUrl}/v1/rooms/${room}/messages`;
    assert.equal((await fetch(url)).status, 401);
    assert.equal((await fetch(url, { headers: { "x-parley-user": "alice" } })).status, 401);
    const forged = await mint({ user: "alice", secret: "wrong-secret-wrong-secret-000000" });
    assert.equal((await fetch(url, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
  });
});
