/**
 * Fuzzing the live gateway (invariant 5): thousands of hostile frames over
 * real WebSockets and SSE POSTs. The server stays up, every error frame and
 * error body carries a catalogued code with the catalogue's retryable flag,
 * and a seeded room's history is intact afterwards (mutated publishes may
 * append to it, but never rewrite, reorder or leave a gap).
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { ERRORS, isErrorCode, type ErrorFrame } from "@parley/protocol";
import { ServerProcess } from "../support/server-process.js";
import { RawClient } from "../support/raw-client.js";
import { SseClient } from "../support/sse-client.js";
import { publish, range, readAllHistory, seqs, uniqueRoom } from "../support/fixtures.js";
import { hostileFrames } from "./frame-fuzz.js";

const WS_FRAMES = 4_000;
const SSE_POSTS = 400;
const BATCH = 100;

function assertCatalogued(error: { code: string; retryable: boolean }): void {
  assert.ok(isErrorCode(error.code), `uncatalogued code ${error.code}`);
  assert.equal(error.retryable, ERRORS[error.code].retryable, `retryable flag of ${error.code}`);
}

describe("gateway fuzz", () => {
  let server: ServerProcess;
  const seeded = uniqueRoom("fuzz-seed");
  const rooms = [seeded, uniqueRoom("fuzz-a"), "dm:alice:bob", "x"];
  const codes = new Map<string, number>();
  const count = (error: ErrorFrame): void => void codes.set(error.code, (codes.get(error.code) ?? 0) + 1);

  before(async () => {
    server = await ServerProcess.start({ args: ["--max-errors-per-minute", "100000", "--max-frame-bytes", "8192"] });
    const c = await RawClient.connect(server.wsUrl, { user: "seeder" });
    for (const i of range(1, 5)) await publish(c, seeded, { i }, `seed-${i}`);
    c.terminate();
  });
  after(async () => {
    console.log(`gateway fuzz: error codes ${JSON.stringify(Object.fromEntries(codes))}`);
    await server?.cleanup();
  });

  test(`${WS_FRAMES} hostile frames over WebSocket`, { timeout: 90_000 }, async () => {
    const frames = hostileFrames(rooms, WS_FRAMES, 7);
    let client: RawClient | undefined;
    let closes = 0;
    for (let start = 0; start < frames.length; start += BATCH) {
      if (!client || client.closeInfo) {
        if (client) closes++;
        for (const error of client?.errors() ?? []) count(error);
        client = await RawClient.connect(server.wsUrl, { user: "fuzzer" });
      }
      // Half the batches hit a connection before `connect`, where every frame but connect is refused.
      const target = start % (BATCH * 10) === 0 ? await RawClient.open(server.wsUrl) : client;
      for (const text of frames.slice(start, start + BATCH)) target.sendRaw(text);
      await settled(target);
      for (const error of target.errors()) assertCatalogued(error);
      if (target !== client) {
        target.errors().forEach(count);
        target.terminate();
      }
    }
    for (const error of client?.errors() ?? []) count(error);
    client?.terminate();
    assert.ok(closes < frames.length / BATCH, "most batches ran on a live connection");
  });

  test(`${SSE_POSTS} hostile SSE POST bodies`, { timeout: 60_000 }, async () => {
    const sse = await SseClient.connect(server.httpUrl, { user: "fuzzer" });
    const statuses = new Map<number, number>();
    for (const body of hostileFrames(rooms, SSE_POSTS, 11)) {
      const res = await fetch(`${server.httpUrl}/v1/sse/${sse.session}`, { method: "POST", body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok([204, 400, 404, 413].includes(res.status), `status ${res.status}: ${text}`);
      if (res.status !== 204) assertCatalogued((JSON.parse(text) as { error: ErrorFrame }).error);
    }
    for (const frame of sse.frames) if (frame.t === "error") assertCatalogued(frame);
    sse.destroy();
    assert.ok((statuses.get(204) ?? 0) > SSE_POSTS / 2, JSON.stringify(Object.fromEntries(statuses)));
  });

  test("afterwards: the server is up and the seeded room's history is intact", async () => {
    assert.ok(server.running);
    assert.equal((await fetch(`${server.httpUrl}/healthz`)).status, 200);
    const c = await RawClient.connect(server.wsUrl, { user: "auditor" });
    try {
      const history = await readAllHistory(c, seeded);
      assert.deepEqual(seqs(history), range(1, history.length), "contiguous from 1");
      assert.deepEqual(
        history.slice(0, 5).map((e) => [e.cmid, e.body]),
        range(1, 5).map((i) => [`seed-${i}`, { i }]),
      );
      assert.equal((await publish(c, seeded, "after")).seq, history.length + 1);
    } finally {
      c.terminate();
    }
  });
});

/** Resolves once the server has answered everything sent so far (a ping sent last comes back), or the socket closed. */
async function settled(client: RawClient): Promise<void> {
  if (client.closeInfo) return;
  const pong = client.request({ t: "ping" }, 20_000).catch((err: Error) => err);
  const reply = await Promise.race([pong, client.closed]);
  if (reply instanceof Error && !client.closeInfo) throw reply;
}
