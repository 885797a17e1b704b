/**
 * Restart time: a Parley process on a data dir of 1 000 000 stored events is
 * killed with SIGKILL while a publisher writes to it, started again on the
 * same port and data dir, and probed until a WebSocket client is accepted,
 * connected and subscribed to a room with history. Parley only (and the
 * baseline build with `--baseline`, for an A/B, killed in turn with it);
 * `rounds × kills` kills per build, medians reported.
 */
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { WebSocket } from "ws";
import { cpuUs } from "../proc-stats.js";
import { PARLEY_CLI, parleyStartArgs } from "../systems/parley-process.js";
import { freePort, spawnServer } from "../systems/system.js";
import type { SystemName } from "../wire/wire.js";
import { eventsDataDir } from "./restart-data.js";
import { log, medianOf, sleep, type BenchOptions } from "./common.js";

const SIZES = {
  full: { events: 1_000_000, rooms: 1_000, kills: 7, loadEvents: 2_000 },
  quick: { events: 1_000_000, rooms: 1_000, kills: 3, loadEvents: 2_000 },
  toy: { events: 2_000, rooms: 20, kills: 2, loadEvents: 50 },
} as const;

const PARLEY_BUILDS: readonly SystemName[] = ["parley", "parley-base"];
/** Longest a restart may take before the run fails. */
const PROBE_TIMEOUT_MS = 60_000;

/** One kill and restart, times from the new process's spawn (and from the kill, for `fromKill*`). */
export interface RestartSample {
  /** SIGKILL until the old process was reaped. */
  reapMs: number;
  /** Spawn until a WebSocket upgrade was accepted. */
  openMs: number;
  /** Spawn until the `connected` answer to a dev-mode `connect`. */
  connectedMs: number;
  /** Spawn until `subscribed` to a room holding history (its head read from the database). */
  subscribedMs: number;
  /** Kill until subscribed: what a client that retried at once was without service. */
  fromKillMs: number;
  /** CPU the new process used until then (user + system, all threads). */
  serverCpuMs: number;
}

export interface RestartOutcome {
  scenario: "restart";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  /** Every kill's sample, per build. */
  rounds: Record<string, RestartSample[]>;
  summary: Record<
    string,
    { openMs: number; connectedMs: number; subscribedMs: number; fromKillMs: number; serverCpuMs: number }
  >;
}

export async function restart(opts: BenchOptions): Promise<RestartOutcome> {
  const size = SIZES[opts.scale];
  const template = eventsDataDir(size.events, size.rooms);
  const names = PARLEY_BUILDS.filter((n) => n === "parley" || opts.systems.includes(n));
  const servers = names.map((name) => new RestartedServer(name, opts, template));
  const samples: Record<string, RestartSample[]> = {};
  try {
    for (const server of servers) await server.start();
    // Kill by kill in turn (A B A B …), so a change in the machine's load hits every build alike.
    for (let k = 0; k < opts.rounds * size.kills; k++) {
      for (const server of servers) {
        const sample = await server.killAndRestart(size);
        (samples[server.name] ??= []).push(sample);
        log(`restart ${server.name} kill ${k + 1}: ${JSON.stringify(sample)}`);
      }
    }
  } finally {
    for (const server of servers) await server.dispose();
  }
  const summary: RestartOutcome["summary"] = {};
  for (const [name, ss] of Object.entries(samples)) {
    summary[name] = {
      openMs: medianOf(ss, (s) => s.openMs),
      connectedMs: medianOf(ss, (s) => s.connectedMs),
      subscribedMs: medianOf(ss, (s) => s.subscribedMs),
      fromKillMs: medianOf(ss, (s) => s.fromKillMs),
      serverCpuMs: medianOf(ss, (s) => s.serverCpuMs),
    };
    log(`restart ${name}: median ${JSON.stringify(summary[name])}`);
  }
  return { scenario: "restart", sizes: size, rounds: samples, summary };
}

/** One build on its own copy of the data dir and port, killed and started again on demand. */
class RestartedServer {
  private readonly cli: string;
  private readonly dataDir = mkdtempSync(join(tmpdir(), "parley-bench-restart-"));
  private port = 0;
  private child: ChildProcess | undefined;

  constructor(
    readonly name: SystemName,
    private readonly opts: BenchOptions,
    private readonly template: string,
  ) {
    const cli = name === "parley-base" ? opts.start.baselineCli : PARLEY_CLI;
    if (!cli) throw new Error("parley-base needs --baseline=<path to a built cli/main.js>");
    this.cli = cli;
  }

  /** The first start on a fresh copy; not measured (it may migrate the copied schema). */
  async start(): Promise<void> {
    cpSync(this.template, this.dataDir, { recursive: true });
    this.port = await freePort();
    this.spawn();
    await probe(this.port, performance.now());
  }

  /** With a publisher writing (uncommitted WAL frames, a live writer thread), SIGKILL, start again, probe. */
  async killAndRestart(size: (typeof SIZES)[keyof typeof SIZES]): Promise<RestartSample> {
    const load = new Publisher(this.port, size.rooms);
    await load.until(size.loadEvents);
    const killedAt = performance.now();
    await this.kill();
    load.close();
    const spawnedAt = performance.now();
    const pid = this.spawn();
    const t = await probe(this.port, spawnedAt);
    const serverCpuMs = cpuUs(pid) / 1000;
    return roundAll({
      reapMs: spawnedAt - killedAt,
      ...t,
      fromKillMs: t.subscribedMs + spawnedAt - killedAt,
      serverCpuMs,
    });
  }

  async dispose(): Promise<void> {
    await this.kill();
    rmSync(this.dataDir, { recursive: true, force: true });
  }

  private spawn(): number {
    const args = parleyStartArgs(this.opts.start, this.cli, this.port, this.dataDir);
    const child = spawnServer(process.execPath, args, this.name);
    this.child = child;
    return child.pid;
  }

  private async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const reaped = exited(child);
    child.kill("SIGKILL");
    await reaped;
  }
}

function roundAll(s: RestartSample): RestartSample {
  return Object.fromEntries(Object.entries(s).map(([k, v]) => [k, Math.round(v)])) as unknown as RestartSample;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Times from `t0` to open, connected and subscribed (room r0, which has history); retries refused connects at once. */
async function probe(
  port: number,
  t0: number,
): Promise<Pick<RestartSample, "openMs" | "connectedMs" | "subscribedMs">> {
  const deadline = t0 + PROBE_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const result = await probeOnce(port, t0);
    if (result) return result;
    await sleep(2);
  }
  throw new Error(`restart: nothing accepted a WebSocket on port ${port} within ${PROBE_TIMEOUT_MS} ms`);
}

function probeOnce(
  port: number,
  t0: number,
): Promise<Pick<RestartSample, "openMs" | "connectedMs" | "subscribedMs"> | undefined> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    let openMs = 0;
    let connectedMs = 0;
    const done = (r: Awaited<ReturnType<typeof probeOnce>>) => (ws.terminate(), resolve(r));
    ws.on("error", () => done(undefined));
    ws.on("close", () => done(undefined));
    ws.on("open", () => {
      openMs = performance.now() - t0;
      ws.send(JSON.stringify({ t: "connect", versions: [1], user: "restart-probe" }));
    });
    ws.on("message", (data: Buffer) => {
      const frame = JSON.parse(data.toString()) as { t: string };
      if (frame.t === "connected") {
        connectedMs = performance.now() - t0;
        ws.send(JSON.stringify({ t: "sub", id: 1, room: "r0" }));
      } else if (frame.t === "subscribed") {
        done({ openMs, connectedMs, subscribedMs: performance.now() - t0 });
      } else if (frame.t === "error") {
        done(undefined);
      }
    });
  });
}

/** One dev-mode connection publishing to the rooms round-robin, 100 publishes in flight. */
class Publisher {
  private readonly ws: WebSocket;
  private acked = 0;
  private next = 1;
  private waiter: { count: number; resolve: () => void } | undefined;
  private readonly tag = Math.random().toString(36).slice(2, 8);

  constructor(
    port: number,
    private readonly rooms: number,
  ) {
    this.ws = new WebSocket(`ws://127.0.0.1:${port}/v1/ws`);
    this.ws.on("error", () => {});
    this.ws.on("open", () => this.ws.send(JSON.stringify({ t: "connect", versions: [1], user: "restart-load" })));
    this.ws.on("message", (data: Buffer) => this.onFrame(JSON.parse(data.toString()) as { t: string }));
  }

  /** Resolves once `count` publishes were acked; they keep going until close. */
  until(count: number): Promise<void> {
    return new Promise((resolve) => (this.waiter = { count, resolve }));
  }

  close(): void {
    this.ws.terminate();
  }

  private onFrame(frame: { t: string }): void {
    if (frame.t === "connected") for (let i = 0; i < 100; i++) this.publish();
    if (frame.t !== "ack") return;
    this.acked++;
    if (this.waiter && this.acked >= this.waiter.count) this.waiter.resolve();
    this.publish();
  }

  private publish(): void {
    const id = this.next++;
    const room = `r${id % this.rooms}`;
    const body = { text: `load ${id} while the server is killed` };
    this.ws.send(JSON.stringify({ t: "pub", id, room, cmid: `load-${this.tag}-${id}`, body }));
  }
}
