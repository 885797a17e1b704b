/**
 * Invariant 5: bad input never crashes the node nor corrupts a room, and gets
 * a catalogued error code. Each case runs on its own connection; afterwards
 * the server still serves and the room's history is intact.
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import { CLOSE, ERRORS, isErrorCode, type ErrorFrame } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import { SseClient } from "../support/sse-client.js";
import { publish, readAllHistory, seqs, serverSuite, subscribe, uniqueRoom } from "../support/fixtures.js";

const MAX_FRAME_BYTES = 32_768;
const MAX_ERRORS = 10;

/** Waits for the next error frame after `from` and checks it against the catalogue. */
async function nextError(client: RawClient, from: number): Promise<ErrorFrame> {
  const frame = await client.waitFor((f) => f.t === "error" && client.frames.indexOf(f) >= from);
  const error = frame as ErrorFrame;
  assert.ok(isErrorCode(error.code), `uncatalogued code ${error.code}`);
  assert.equal(error.retryable, ERRORS[error.code].retryable);
  assert.equal(typeof error.message, "string");
  return error;
}

describe("bad input", () => {
  const suite = serverSuite({
    args: ["--max-frame-bytes", String(MAX_FRAME_BYTES), "--max-errors-per-minute", String(MAX_ERRORS)],
  });
  const it = suite.it;
  let room: string;

  it("seeds a room whose history must stay intact", async (pool) => {
    room = uniqueRoom("bad-input");
    const c = await pool.connect({ user: "seeder" });
    for (let i = 1; i <= 3; i++) await publish(c, room, { i }, `seed-${i}`);
  });

  it("frames before connect: NOT_CONNECTED", async (pool) => {
    const c = await pool.open();
    const reply = await c.request({ t: "sub", room });
    assert.equal(reply.t, "error");
    assert.equal((reply as ErrorFrame).code, "NOT_CONNECTED");
  });

  it("connect twice: ALREADY_CONNECTED", async (pool) => {
    const c = await pool.connect({ user: "twice" });
    const reply = await c.request({ t: "connect", versions: [1], user: "twice" });
    assert.equal((reply as ErrorFrame).code, "ALREADY_CONNECTED");
  });

  it("malformed JSON: BAD_JSON, and the connection stays usable", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    const from = c.frames.length;
    c.sendRaw('{"t":"pub", nope');
    assert.equal((await nextError(c, from)).code, "BAD_JSON");
    const ok = await c.request({ t: "ping" });
    assert.equal(ok.t, "pong");
  });

  it("a JSON value that is not an object: BAD_FRAME", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    const from = c.frames.length;
    c.sendRaw("[1,2,3]");
    assert.equal((await nextError(c, from)).code, "BAD_FRAME");
  });

  it("unknown frame type: UNKNOWN_FRAME, answering the request id", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    const reply = await c.request({ t: "teleport", room });
    assert.equal(reply.t, "error");
    assert.equal((reply as ErrorFrame).code, "UNKNOWN_FRAME");
  });

  it("wrong field types: BAD_FRAME with the request id", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    const cases = [
      { t: "pub", room, cmid: 42, body: "x" },
      { t: "pub", room, cmid: "has space", body: "x" },
      { t: "pub", room, cmid: "no-body" },
      { t: "sub", room: "bad room!" },
      { t: "sub", room, since: -1 },
      { t: "sub", room, since: "3" },
      { t: "history", room, limit: 0 },
      { t: "history", room, limit: 1.5 },
      { t: "pub", room: "x".repeat(129), cmid: "c", body: 1 },
    ];
    for (const frame of cases) {
      const reply = await c.request(frame);
      assert.equal(reply.t, "error", JSON.stringify(frame));
      assert.equal((reply as ErrorFrame).code, "BAD_FRAME", JSON.stringify(frame));
    }
  });

  it("unknown extra fields are ignored (forward compatibility)", async (pool) => {
    const c = await pool.connect({ user: "future" });
    const reply = await c.request({ t: "ping", future: { x: 1 } });
    assert.equal(reply.t, "pong");
    assert.equal(c.errors().length, 0);
  });

  it("oversize frame: ws closes 1009", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    c.send({ t: "pub", id: 1, room, cmid: "big", body: "x".repeat(MAX_FRAME_BYTES + 1) });
    assert.equal((await c.waitClosed()).code, 1009);
  });

  it("event body over maxMessageBytes but within the frame limit: MESSAGE_TOO_LARGE", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    const max = c.connected!.limits.maxMessageBytes;
    assert.ok(max < MAX_FRAME_BYTES - 200, "test needs maxMessageBytes below the frame limit");
    const reply = await c.request({ t: "pub", room, cmid: "too-big", body: "y".repeat(max) });
    assert.equal((reply as ErrorFrame).code, "MESSAGE_TOO_LARGE");
  });

  it("maxMessageBytes counts the JSON-encoded body in UTF-8 bytes: exactly the limit passes", async (pool) => {
    const c = await pool.connect({ user: "edge" });
    const max = c.connected!.limits.maxMessageBytes;
    const euro = "\u20ac"; // 3 bytes in UTF-8, 1 UTF-16 unit
    const fill = (bytes: number): string => euro.repeat(Math.floor(bytes / 3)) + "a".repeat(bytes % 3);
    const fits = fill(max - 2); // plus the two quotes of the JSON string
    const ack = await c.request({ t: "pub", room: uniqueRoom("edge"), cmid: "edge-1", body: fits });
    assert.equal(ack.t, "ack");
    const over = await c.request({ t: "pub", room: uniqueRoom("edge"), cmid: "edge-2", body: fits + "a" });
    assert.equal((over as ErrorFrame).code, "MESSAGE_TOO_LARGE");
  });

  it("a body nested 4,100 deep: BAD_EVENT over WebSocket, SSE POST (alone and batched) and REST; 32 deep passes", async (pool) => {
    const deep = "[".repeat(4_100) + "]".repeat(4_100);
    const pubText = (id: number, cmid: string, body: string) =>
      `{"t":"pub","id":${id},"room":"${room}","cmid":"${cmid}","body":${body}}`;
    const c = await pool.connect({ user: "nester" });
    const from = c.frames.length;
    c.sendRaw(pubText(5, "deep-ws", deep));
    assert.deepEqual(await nextError(c, from).then((e) => [e.code, e.id]), ["BAD_EVENT", 5]);
    assert.equal((await c.request({ t: "ping" })).t, "pong");

    const sse = await SseClient.connect(suite.server.httpUrl, { user: "nester" });
    try {
      const alone = sse.waitFor((f) => f.t === "error" && f.id === 6);
      assert.equal(await sse.post(pubText(6, "deep-sse", deep)), 204);
      assert.equal(((await alone) as ErrorFrame).code, "BAD_EVENT");
      const batched = sse.waitFor((f) => f.t === "error" && f.id === 7);
      const pong = sse.waitFor((f) => f.t === "pong" && f.id === 8);
      assert.equal(await sse.post(`[${pubText(7, "deep-sse-2", deep)}, {"t":"ping","id":8}]`), 204);
      assert.equal(((await batched) as ErrorFrame).code, "BAD_EVENT");
      await pong;
    } finally {
      sse.destroy();
    }

    const rest = (body: string) =>
      fetch(`${suite.server.httpUrl}/v1/rooms/${uniqueRoom("nest")}/messages`, {
        method: "POST",
        headers: { "content-type": "application/json", "x-parley-user": "nester" },
        body: `{"cmid":"deep-rest","body":${body}}`,
      });
    const refused = await rest(deep);
    assert.equal(refused.status, 400);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "BAD_EVENT");
    const limit = "[".repeat(32) + "]".repeat(32);
    assert.equal((await rest(limit)).status, 201);
    const ack = await c.request({ t: "pub", room: uniqueRoom("nest"), cmid: "deep-ok", body: JSON.parse(limit) });
    assert.equal(ack.t, "ack");
  });

  it("invalid UTF-8 in a text frame: ws closes 1007", async (pool) => {
    const c = await pool.connect({ user: "mallory" });
    c.sendRaw(Buffer.from([0x7b, 0x22, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])); // {"t":"\xff\xfe"}
    assert.equal((await c.waitClosed()).code, 1007);
  });

  it("a flood of junk frames: closed with TOO_MANY_ERRORS (4005)", async (pool) => {
    const c = await pool.connect({ user: "flooder" });
    for (let i = 0; i < MAX_ERRORS * 5; i++) c.sendRaw(`junk ${i}`);
    assert.equal((await c.waitClosed()).code, CLOSE.TOO_MANY_ERRORS);
    const errors = c.errors();
    // Up to the limit errors are tolerated; the one past it is answered, then the socket closes.
    assert.equal(errors.length, MAX_ERRORS + 1);
    for (const e of errors) assert.equal(e.code, "BAD_JSON");
  });

  it("invalid UTF-8 over REST and SSE POST: 400 INVALID_UTF8, nothing stored", async () => {
    const invalid = (head: string, tail: string) =>
      Buffer.concat([Buffer.from(head), Buffer.from([0xff, 0xfe]), Buffer.from(tail)]);
    const rest = await fetch(`${suite.server.httpUrl}/v1/rooms/${room}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-user": "mallory" },
      body: invalid(`{"cmid":"bad-utf8-rest","body":"`, `"}`),
    });
    assert.equal(rest.status, 400);
    assert.equal(((await rest.json()) as { error: { code: string } }).error.code, "INVALID_UTF8");
    const sse = await SseClient.connect(suite.server.httpUrl, { user: "mallory" });
    try {
      const res = await fetch(`${suite.server.httpUrl}/v1/sse/${sse.session}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: invalid(`{"t":"pub","id":9,"room":"${room}","cmid":"bad-utf8-sse","body":"`, `"}`),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "INVALID_UTF8");
    } finally {
      sse.destroy();
    }
  });

  it("afterwards the server is alive and the room's history is intact", async (pool) => {
    const health = await fetch(`${suite.server.httpUrl}/healthz`);
    assert.equal(health.status, 200);
    const c = await pool.connect({ user: "checker" });
    const history = await readAllHistory(c, room);
    assert.deepEqual(seqs(history), [1, 2, 3]);
    assert.deepEqual(
      history.map((e) => e.body),
      [{ i: 1 }, { i: 2 }, { i: 3 }],
    );
    const sub = await subscribe(c, room);
    assert.equal(sub.lastSeq, 3);
    const ack = await publish(c, room, { i: 4 }, "seed-4");
    assert.equal(ack.seq, 4);
  });
});
