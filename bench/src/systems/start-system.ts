import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { deleteTestTopics } from "@parley/server/testing/test-kafka.js";
import type { SystemName } from "../wire/wire.js";
import { freshDatabase, type ClusterServices } from "./cluster-services.js";
import { fetchText, freePort, spawnServer, stopProcess, waitForPort, type RunningSystem } from "./system.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
/** The current build's `parley` CLI. */
export const PARLEY_CLI = join(ROOT, "packages/server/dist/cli/main.js");
const PEERS = fileURLToPath(new URL("./peer-servers.js", import.meta.url));
const NATS = "/usr/sbin/nats-server";
/** Node flags of every Node server: a full GC on SIGUSR2 (gc-on-signal.ts). */
const GC_ARGS = ["--expose-gc", `--import=${new URL("./gc-on-signal.js", import.meta.url).href}`];

/** Sends SIGUSR2 (a full GC, see gc-on-signal.ts) and gives it time to finish. */
async function collectGarbageOf(pid: number): Promise<void> {
  process.kill(pid, "SIGUSR2");
  await new Promise((r) => setTimeout(r, 500));
}

/** Options for starting a system; `nodeArgs` go to Node servers (e.g. --cpu-prof). */
export interface StartOptions {
  readonly nodeArgs?: readonly string[];
  readonly parleyArgs?: readonly string[];
  /** CLI of a baseline Parley build, run as system `parley-base`. */
  readonly baselineCli?: string;
  /** Broker and PostgreSQL for system `parley-kafka` (the kafka scenario starts them). */
  readonly cluster?: ClusterServices;
  /**
   * Topics and database every `parley-kafka` start shares (the caller drops it); without it each
   * start gets a space of its own, dropped when it stops.
   */
  readonly space?: ClusterSpace;
}

export async function startSystem(name: SystemName, opts: StartOptions = {}): Promise<RunningSystem> {
  if (name === "parley") return startParley(opts, PARLEY_CLI, "parley");
  if (name === "parley-normal") {
    const parleyArgs = [...(opts.parleyArgs ?? []), "--durability", "normal"];
    return startParley({ ...opts, parleyArgs }, PARLEY_CLI, "parley-normal");
  }
  if (name === "parley-base") {
    if (!opts.baselineCli) throw new Error("parley-base needs --baseline=<path to a built cli/main.js>");
    return startParley(opts, opts.baselineCli, "parley-base");
  }
  if (name === "parley-kafka") return startParleyKafka(opts);
  if (name === "nats") return startNats();
  if (name === "ws" || name === "socketio") return startPeer(name, opts);
  throw new Error(`unknown system ${name}`);
}

/** A topic prefix and a fresh database for one cluster-mode Parley (any number of processes); `drop` removes both. */
export interface ClusterSpace {
  /** `parley start` flags of one process of this cluster in `role`. */
  args(role: "all" | "gateway" | "sequencer" | "sink"): string[];
  drop(): Promise<void>;
}

export async function clusterSpace(cluster: ClusterServices): Promise<ClusterSpace> {
  const topicPrefix = `bench.${randomUUID().slice(0, 8)}.`;
  const db = await freshDatabase(cluster.postgresUrl);
  const brokers = cluster.brokers.split(",");
  return {
    args: (role) => ["--kafka", cluster.brokers, "--postgres", db.url, "--role", role, "--topic-prefix", topicPrefix],
    async drop() {
      await db.drop();
      await deleteTestTopics({ brokers, topicPrefix, partitions: 1, replication: 1, clientId: "parley-bench" });
    },
  };
}

/**
 * One `parley start` process of the current build with extra flags, as `name`.
 * `listens: false` for roles without HTTP (a sequencer): then it is not waited for.
 */
export function startParleyProcess(
  opts: StartOptions,
  name: SystemName,
  extraArgs: string[],
  listens = true,
): Promise<RunningSystem> {
  return startParley({ ...opts, parleyArgs: [...(opts.parleyArgs ?? []), ...extraArgs] }, PARLEY_CLI, name, listens);
}

/** Cluster mode in one process (`--role all`: gateway, sequencer and sink) in a ClusterSpace of its own. */
async function startParleyKafka(opts: StartOptions): Promise<RunningSystem> {
  const cluster = opts.cluster;
  if (!cluster) throw new Error("parley-kafka runs inside the kafka scenario, which starts the broker and PostgreSQL");
  const space = opts.space ?? (await clusterSpace(cluster));
  const sys = await startParleyProcess(opts, "parley-kafka", space.args("all"));
  return {
    ...sys,
    async stop() {
      await sys.stop();
      if (!opts.space) await space.drop();
    },
  };
}

/** The real `parley start` process (parleyStartArgs). */
async function startParley(opts: StartOptions, cli: string, name: SystemName, listens = true): Promise<RunningSystem> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const child = spawnServer(process.execPath, parleyStartArgs(opts, cli, port, dataDir), name);
  // A server that never listens must not outlive the failed start.
  if (listens) await waitForPort(port).catch((err: unknown) => stopProcess(child).then(() => Promise.reject(err)));
  return {
    name,
    pid: child.pid,
    port,
    async heapUsed() {
      const text = await fetchText(`http://127.0.0.1:${port}/metrics`);
      const m = text && /^nodejs_heap_size_used_bytes (\d+)/m.exec(text);
      return m ? Number(m[1]) : undefined;
    },
    collectGarbage: () => collectGarbageOf(child.pid),
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Node arguments of `parley start` with the bench's settings (dev mode, limits raised so the generator is never rate limited). */
export function parleyStartArgs(opts: StartOptions, cli: string, port: number, dataDir: string): string[] {
  return [
    ...GC_ARGS,
    ...(opts.nodeArgs ?? []),
    cli,
    "start",
    "--dev",
    ...["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"],
    ...["--publish-rate-per-connection", "1000000", "--publish-rate-per-user", "1000000"],
    ...["--max-connections-per-user", "1000000", "--shutdown-grace-ms", "2000"],
    // Every generated connection comes from 127.0.0.1; a baseline build may predate the option.
    ...(cli === PARLEY_CLI ? ["--max-connections-per-address", "0"] : []),
    ...(opts.parleyArgs ?? []),
  ];
}

async function startPeer(name: "socketio" | "ws", opts: StartOptions): Promise<RunningSystem> {
  const port = await freePort();
  const child = spawnServer(process.execPath, [...GC_ARGS, ...(opts.nodeArgs ?? []), PEERS, name, String(port)], name);
  await waitForPort(port);
  return {
    name,
    pid: child.pid,
    port,
    async heapUsed() {
      const text = await fetchText(`http://127.0.0.1:${port}/heap`);
      return text === undefined ? undefined : Number(text);
    },
    collectGarbage: () => collectGarbageOf(child.pid),
    stop: () => stopProcess(child),
  };
}

/** Debian's nats-server with a plain-text WebSocket listener on loopback; no persistence. */
async function startNats(): Promise<RunningSystem> {
  const [port, clientPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-nats-"));
  const conf = join(dir, "nats.conf");
  writeFileSync(
    conf,
    [
      `listen: "127.0.0.1:${clientPort}"`,
      "max_connections: 1000000",
      `websocket { listen: "127.0.0.1:${port}", no_tls: true, compression: false }`,
      "",
    ].join("\n"),
  );
  const child = spawnServer(NATS, ["-c", conf], "nats");
  await waitForPort(port);
  return {
    name: "nats",
    pid: child.pid,
    port,
    heapUsed: async () => undefined,
    collectGarbage: async () => {},
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
