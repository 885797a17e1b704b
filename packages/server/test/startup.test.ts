import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { CLOSE } from "@parley/protocol";
import { WebSocket } from "ws";
import { defaultConfig, type ParleyConfig } from "#server/config/options.js";
import { openEmbedded } from "#server/sqlite/open-embedded.js";
import { silentLogger } from "#server/logger.js";
import { createParleyServer, type NodeStorage, type ParleyServer } from "#server/server.js";

const root = mkdtempSync(join(tmpdir(), "parley-startup-"));
after(() => rmSync(root, { recursive: true, force: true }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** A config on a free port (known before start() resolves) and a fresh data dir. */
async function testConfig(): Promise<ParleyConfig> {
  const dataDir = mkdtempSync(join(root, "data-"));
  return { ...defaultConfig(), host: "127.0.0.1", port: await freePort(), dataDir, dev: true };
}

/** Embedded storage whose deferred start (`starting`) is `pending`. */
function storageStartingWith(config: ParleyConfig, pending: Promise<void>): () => Promise<NodeStorage> {
  return async () => {
    const storage = openEmbedded(config);
    await storage.log.start();
    await storage.store.start();
    return { ...storage, starting: pending };
  };
}

/** A server whose storage's deferred start ends when the test says so. */
async function serverStartingUntil(): Promise<{ config: ParleyConfig; server: ParleyServer; finish: () => void }> {
  const config = await testConfig();
  let finish!: () => void;
  const pending = new Promise<void>((resolve) => (finish = resolve));
  const server = createParleyServer(config, {
    logger: silentLogger(),
    openStorage: storageStartingWith(config, pending),
  });
  return { config, server, finish };
}

/** Sends `connect` as `user` and waits for `connected`. */
async function connectAs(ws: WebSocket, user: string): Promise<void> {
  ws.send(JSON.stringify({ t: "connect", versions: [1], user }));
  assert.equal((await nextFrame(ws)).t, "connected");
}

/** Opens a WebSocket once something listens on `port`: a refused connect is retried. */
async function openWhenListening(port: number): Promise<WebSocket> {
  for (;;) {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    const opened = await new Promise<boolean>((resolve) =>
      ws.once("open", () => resolve(true)).once("error", () => resolve(false)),
    );
    if (opened) return ws;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function nextFrame(ws: WebSocket): Promise<{ t: string }> {
  return new Promise((resolve) => ws.once("message", (data) => resolve(JSON.parse(String(data)) as { t: string })));
}

describe("startup order", () => {
  it("takes clients and serves subscriptions while the storage finishes starting; start() resolves after it", async () => {
    const { config, server, finish } = await serverStartingUntil();
    let settled = false;
    const started = server.start().finally(() => (settled = true));
    try {
      const ws = await openWhenListening(config.port);
      await connectAs(ws, "early");
      ws.send(JSON.stringify({ t: "sub", id: 1, room: "early-room" }));
      assert.equal((await nextFrame(ws)).t, "subscribed");
      assert.equal(settled, false, "start() waits for the storage's deferred start");
      ws.close();
      finish();
      assert.equal((await started).port, config.port);
    } finally {
      finish();
      await started.catch(() => {});
      await server.stop();
    }
  });

  it("a stop while the storage is still starting drains the clients already taken", async () => {
    const { config, server, finish } = await serverStartingUntil();
    const started = server.start();
    const ws = await openWhenListening(config.port);
    await connectAs(ws, "early");
    const closed = new Promise<number>((resolve) => ws.once("close", (code) => resolve(code)));
    const stopped = server.stop();
    finish();
    await started;
    await stopped;
    assert.equal(await closed, CLOSE.SHUTDOWN);
  });

  it("fails start() and stops listening when the deferred start fails", async () => {
    const config = await testConfig();
    let fail!: (err: Error) => void;
    const pending = new Promise<void>((_, reject) => (fail = reject));
    const server = createParleyServer(config, {
      logger: silentLogger(),
      openStorage: storageStartingWith(config, pending),
    });
    const started = server.start();
    (await openWhenListening(config.port)).close();
    fail(new Error("writer thread could not open the database"));
    await assert.rejects(started, /writer thread could not open/);
    const refused = new WebSocket(`ws://127.0.0.1:${config.port}/v1/ws`);
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => refused.once("error", resolve));
    assert.equal(error.code, "ECONNREFUSED");
  });
});
