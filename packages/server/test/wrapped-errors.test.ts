/**
 * A storage failure wrapped as a ParleyError keeps its cause for the server's
 * log, and the cause never reaches a client: WebSocket error frames and REST
 * error bodies carry only code, message and retryable.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { ParleyError, type UnreadRoom } from "@parley/protocol";
import { pino } from "pino";
import { mintToken } from "#server/auth/mint-token.js";
import { defaultConfig } from "#server/config/options.js";
import { createParleyServer, type ParleyServer } from "#server/server.js";
import { guardSqlite } from "#server/sqlite/db.js";
import type { Room } from "#server/store/store.js";
import { MemoryLog } from "./support/memory-log.js";
import { MemoryStore } from "./support/memory-store.js";
import { RawClient } from "./support/raw-client.js";

const SECRET = "wrapped-errors-secret";
/** What the driver said: a path and an errno a client must never see. */
const DRIVER_TEXT = "SQLITE_IOERR: disk I/O error reading /var/lib/parley-secret/parley.db";

/** The wrap every SQLite store call goes through, around a driver failure. */
function failingRead<T>(): Promise<T> {
  return guardSqlite("store", () => {
    throw Object.assign(new Error(DRIVER_TEXT), { code: "SQLITE_IOERR" });
  });
}

/** A store whose unread and public-room reads fail in the driver. */
class FailingStore extends MemoryStore {
  override unread(): Promise<UnreadRoom[]> {
    return failingRead();
  }
  override listPublicRooms(): Promise<Room[]> {
    return failingRead();
  }
}

describe("a wrapped storage failure", () => {
  const logLines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), "parley-wrapped-"));
  let server: ParleyServer;
  let base: string;
  let token: string;

  before(async () => {
    const config = { ...defaultConfig(), host: "127.0.0.1", port: 0, dataDir: dir, jwtSecret: SECRET };
    const logger = pino({ level: "info" }, { write: (line: string) => void logLines.push(line) });
    const openStorage = async () => ({ log: new MemoryLog(), store: new FailingStore(), close: async () => {} });
    server = createParleyServer(config, { logger, openStorage });
    base = (await server.start()).url;
    token = await mintToken({ secret: SECRET, user: "ann", ttlSeconds: 600 });
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("keeps the driver's error as its cause", async () => {
    const err = await failingRead().then(
      () => assert.fail("the read succeeded"),
      (e: unknown) => e,
    );
    assert.ok(err instanceof ParleyError);
    assert.deepEqual([err.code, err.message, err.retryable], ["UNAVAILABLE", "store: SQLite failed", true]);
    assert.ok(err.cause instanceof Error);
    assert.equal(err.cause.message, DRIVER_TEXT);
    assert.equal((err.cause as { code?: string }).code, "SQLITE_IOERR");
  });

  it("is answered over WebSocket without its cause, which the server logs", async () => {
    const client = await RawClient.connect(`${base.replace(/^http/, "ws")}/v1/ws`, { token });
    try {
      const reply = await client.request({ t: "unread" });
      assert.deepEqual(reply, {
        t: "error",
        id: 2,
        code: "UNAVAILABLE",
        message: "store: SQLite failed",
        retryable: true,
      });
      assert.ok(logLines.some((line) => line.includes(DRIVER_TEXT) && line.includes("gateway request failed")));
    } finally {
      client.terminate();
    }
  });

  it("is answered over REST without its cause, which the server logs", async () => {
    const res = await fetch(`${base}/v1/rooms/public`, { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    assert.equal(res.status, 503);
    assert.deepEqual(JSON.parse(text), {
      error: { code: "UNAVAILABLE", message: "store: SQLite failed", retryable: true },
    });
    assert.ok(!text.includes("SQLITE_IOERR"));
    assert.ok(logLines.some((line) => line.includes(DRIVER_TEXT) && line.includes("/v1/rooms/public")));
  });
});
