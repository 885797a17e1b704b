/** Shared fixtures for the gateway tests: a gateway on real sockets over the memory fakes, and a ws test client. */
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ParleyError, PROTOCOL_VERSION } from "@parley/protocol";
import { pino } from "pino";
import { WebSocket } from "ws";
import type { Authenticator, Credentials } from "#server/auth/authenticator.js";
import type { Principal } from "#server/auth/principal.js";
import { defaultConfig, type ParleyConfig } from "#server/config/options.js";
import type { EventLog } from "#server/log/event-log.js";
import { openEmbedded } from "#server/sqlite/open-embedded.js";
import { Metrics } from "#server/metrics/metrics.js";
import type { Store } from "#server/store/store.js";
import { MemoryLog } from "./memory-log.js";
import { MemoryStore } from "./memory-store.js";
import { Gateway } from "#server/gateway/gateway.js";

/** Any user name connects; users named `reader*` may only subscribe and read history. */
export class TestAuthenticator implements Authenticator {
  async authenticate(c: Credentials): Promise<Principal> {
    if (!c.user || c.token === "bad") throw new ParleyError("UNAUTHORIZED");
    const caps = c.user.startsWith("reader") ? { "*": ["subscribe", "history"] as const } : { "*": ["*"] as const };
    return { user: c.user, caps, expiresAt: undefined, dev: true };
  }
}

/** Which EventLog/Store a harness runs on: the memory fakes or the real embedded SQLite storage. */
export type HarnessStorage = "memory" | "embedded";

/** A gateway served by a real HTTP server on 127.0.0.1. */
export interface Harness {
  gateway: Gateway;
  log: EventLog;
  metrics: Metrics;
  config: ParleyConfig;
  server: Server;
  port: number;
  wsUrl: string;
  close(): Promise<void>;
}

/** Opens the storage under test; `dispose` closes it and removes its files. */
async function openStorage(kind: HarnessStorage, config: ParleyConfig) {
  if (kind === "memory") return { log: new MemoryLog(), store: new MemoryStore(), dispose: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), "parley-gw-"));
  const storage = openEmbedded({ ...config, dataDir, durability: "normal" });
  await storage.log.start();
  await storage.store.start();
  const dispose = async (): Promise<void> => {
    await storage.close();
    await rm(dataDir, { recursive: true, force: true });
  };
  return { log: storage.log as EventLog, store: storage.store as Store, dispose };
}

/** Starts a harness on `kind` storage; `overrides` tune the config (small timeouts, low limits). */
export async function startHarness(
  overrides: Partial<ParleyConfig> = {},
  kind: HarnessStorage = "memory",
): Promise<Harness> {
  const config = { ...defaultConfig(), ...overrides };
  const { log, store, dispose } = await openStorage(kind, config);
  const metrics = new Metrics(false);
  const logger = pino({ level: "silent" });
  const gateway = new Gateway({ log, store, auth: new TestAuthenticator(), config, logger, metrics });
  gateway.start();
  const server = createServer((req, res) => {
    const url = req.url ?? "";
    if (req.method === "GET" && url === "/v1/sse") return gateway.handleSse(req, res);
    const m = /^\/v1\/sse\/([^/?]+)$/.exec(url);
    if (req.method === "POST" && m) return gateway.handleSsePost(req, res, m[1]!);
    res.writeHead(404).end();
  });
  server.on("upgrade", (req, socket, head) => gateway.handleUpgrade(req, socket, head));
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  const close = async (): Promise<void> => {
    await gateway.drain();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await dispose();
  };
  return { gateway, log, metrics, config, server, port, wsUrl: `ws://127.0.0.1:${port}/v1/ws`, close };
}

export type Frame = Record<string, unknown> & { t: string };

/** How long a test waits for a frame before failing with what it has. */
const WAIT_MS = 30_000;

/** A raw ws client that queues incoming frames and lets a test await specific ones. */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Array<() => void> = [];
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const w of this.waiters.splice(0)) w();
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
    ws.on("error", () => {});
  }

  /** Opens a socket (no `connect` frame yet). */
  static async open(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
    const ws = new WebSocket(url, { headers });
    const client = new TestClient(ws);
    await once(ws, "open");
    return client;
  }

  /** Opens a socket and completes `connect` as `user`. */
  static async connect(url: string, user: string): Promise<TestClient> {
    const client = await TestClient.open(url);
    client.send({ t: "connect", versions: [PROTOCOL_VERSION], user });
    await client.next((f) => f.t === "connected");
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === "string" ? frame : JSON.stringify(frame));
  }

  /** Sends a request frame with a fresh id and awaits the reply (or error) carrying that id. */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const id = this.nextId++;
    this.send({ ...frame, id });
    return this.next((f) => f.id === id && f.t !== "event");
  }

  /**
   * Resolves with the first queued frame matching `pred`, removing it from the queue. The timeout only turns
   * a frame that never comes into a readable failure; it is generous because a loaded machine is slow, not wrong.
   */
  async next(pred: (f: Frame) => boolean, timeoutMs = WAIT_MS): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex(pred);
      if (i >= 0) return this.frames.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; queued: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => (clearTimeout(timer), resolve()));
      });
    }
  }

  /** Awaits `count` event frames of `room`, returning their seqs in arrival order. */
  async events(room: string, count: number, timeoutMs = WAIT_MS): Promise<number[]> {
    const seqs: number[] = [];
    while (seqs.length < count)
      seqs.push((await this.next((f) => f.t === "event" && f.room === room, timeoutMs)).seq as number);
    return seqs;
  }

  close(): void {
    this.ws.close();
  }
}

/** Seqs from..to inclusive. */
export function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i);
}
