import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect, createServer } from "node:net";
import type { SystemName } from "../wire/wire.js";

/** A system under test, running as one process or (a split cluster) several. */
export interface RunningSystem {
  readonly name: SystemName;
  /** The process clients connect to (the first gateway of a split cluster). */
  readonly pid: number;
  readonly port: number;
  /** Every process of the system, with its role: their CPU and RSS are summed. */
  readonly processes: readonly SystemProcess[];
  /** Every port clients connect to (the gateways of a split cluster); the generator spreads connections over them. */
  readonly ports: readonly number[];
  /** Heap used by the server in bytes, when it can tell (Node servers). */
  heapUsed(): Promise<number | undefined>;
  /** Runs a full GC in the server (Node servers; a no-op for NATS), then waits for it to settle. */
  collectGarbage(): Promise<void>;
  /**
   * Waits until the system has caught up with what earlier rounds left it (Kafka mode: every consumer's lag
   * is 0); answers the records it was behind when asked. Systems without a backlog leave it out.
   */
  caughtUp?(): Promise<{ readonly behind: number; readonly ms: number }>;
  stop(): Promise<void>;
}

/** One process of a running system. */
export interface SystemProcess {
  readonly role: string;
  readonly pid: number;
}

/** A free loopback TCP port. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on `port`; rejects after `ms`. */
export async function waitForPort(port: number, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, "127.0.0.1");
      s.once("connect", () => (s.destroy(), resolve(true)));
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listens on port ${port} after ${ms} ms`);
}

/** Every server process started and not yet exited, so an interrupted run leaves none behind. */
const children = new Set<ChildProcess>();
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    for (const child of children) child.kill("SIGKILL");
    process.exit(130);
  });
}

/** A spawned server: it has a pid (a spawn that failed outright throws instead). */
export type ServerChild = ChildProcess & { readonly pid: number };

/** Spawns a server process whose warnings and errors go to the runner's stderr, prefixed. */
export function spawnServer(cmd: string, args: string[], label: string): ServerChild {
  const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
  const { pid } = child;
  if (pid === undefined) throw new Error(`${label}: could not spawn ${cmd}`);
  children.add(child);
  child.once("exit", () => children.delete(child));
  const relay = (chunk: Buffer) => {
    const text = chunk.toString();
    // nats-server logs its banner at INF; the rest is worth seeing.
    if (!/^\[\d+\] \S+ \S+ \[INF\]/.test(text) && !text.includes("DEV MODE"))
      process.stderr.write(`[${label}] ${text}`);
  };
  child.stdout.on("data", relay);
  child.stderr.on("data", relay);
  return Object.assign(child, { pid });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves when the process has exited. */
export function stopProcess(child: ChildProcess, graceMs = 5_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => (clearTimeout(timer), resolve()));
    child.kill("SIGTERM");
  });
}

/** GETs a loopback URL's text, or undefined on any failure. */
export async function fetchText(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** Sum of every series of `name` whose labels include `labels` (e.g. `channel="direct"`). */
export function metricSum(text: string, name: string, labels: readonly string[] = []): number {
  let total = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (!labels.every((l) => line.includes(l))) continue;
    total += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return total;
}

/** A server that is not Node (NATS, Centrifugo): a binary, a config file the bench writes, one client port. */
export interface NativeServer {
  readonly name: SystemName;
  readonly binary: string;
  /** The config file's name and text, written to a temp dir removed on stop. */
  readonly config: { readonly file: string; readonly text: string };
  /** The command-line arguments, given the config file's path. */
  readonly args: (configPath: string) => string[];
  /** The port clients connect to, named in the config. */
  readonly port: number;
}

/** Starts a native server once its port accepts connections; it has no heap to report or GC to force. */
export async function startNativeServer(spec: NativeServer): Promise<RunningSystem> {
  const dir = mkdtempSync(join(tmpdir(), `parley-bench-${spec.name}-`));
  const conf = join(dir, spec.config.file);
  writeFileSync(conf, spec.config.text);
  const child = spawnServer(spec.binary, spec.args(conf), spec.name);
  await waitForPort(spec.port);
  return {
    name: spec.name,
    pid: child.pid,
    port: spec.port,
    processes: [{ role: "server", pid: child.pid }],
    ports: [spec.port],
    heapUsed: async () => undefined,
    collectGarbage: async () => {},
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
