import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { randomUUID } from "node:crypto";
import { deleteTestTopics } from "@parley/server/kafka/test-kafka.js";
import type { SystemName } from "../wire/wire.js";
import { freshDatabase, type ClusterServices } from "./cluster-services.js";
import { fetchText, freePort, spawnServer, stopProcess, waitForPort, type RunningSystem } from "./system.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const PARLEY_CLI = join(ROOT, "packages/server/dist/cli/main.js");
const PEERS = fileURLToPath(new URL("./peer-servers.js", import.meta.url));
const NATS = "/usr/sbin/nats-server";

/** Options for starting a system; `nodeArgs` go to Node servers (e.g. --cpu-prof). */
export interface StartOptions {
  readonly nodeArgs?: readonly string[];
  readonly parleyArgs?: readonly string[];
  /** CLI of a baseline Parley build, run as system `parley-base`. */
  readonly baselineCli?: string;
  /** Broker and PostgreSQL for system `parley-kafka` (the kafka scenario starts them). */
  readonly cluster?: ClusterServices;
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

/**
 * Cluster mode in one process (`--role all`: gateway, sequencer and sink) on
 * the run's broker, with its own topic prefix and a fresh database, both
 * removed again by `stop`.
 */
async function startParleyKafka(opts: StartOptions): Promise<RunningSystem> {
  const cluster = opts.cluster;
  if (!cluster) throw new Error("parley-kafka runs inside the kafka scenario, which starts the broker and PostgreSQL");
  const topicPrefix = `bench.${randomUUID().slice(0, 8)}.`;
  const db = await freshDatabase(cluster.postgresUrl);
  const parleyArgs = [
    ...(opts.parleyArgs ?? []),
    ...["--kafka", cluster.brokers, "--postgres", db.url, "--role", "all", "--topic-prefix", topicPrefix],
  ];
  const sys = await startParley({ ...opts, parleyArgs }, PARLEY_CLI, "parley-kafka");
  return {
    ...sys,
    async stop() {
      await sys.stop();
      await db.drop();
      const brokers = cluster.brokers.split(",");
      await deleteTestTopics({ brokers, topicPrefix, partitions: 1, replication: 1, clientId: "parley-bench" });
    },
  };
}

/** The real `parley start` process, limits raised so the generator is never rate limited. */
async function startParley(opts: StartOptions, cli: string, name: SystemName): Promise<RunningSystem> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const args = [
    ...(opts.nodeArgs ?? []),
    cli,
    "start",
    "--dev",
    ...["--host", "127.0.0.1", "--port", String(port), "--data-dir", dataDir, "--log-level", "warn"],
    ...["--publish-rate-per-connection", "1000000", "--publish-rate-per-user", "1000000"],
    ...["--max-connections-per-user", "1000000", "--shutdown-grace-ms", "2000"],
    ...(opts.parleyArgs ?? []),
  ];
  const child = spawnServer(process.execPath, args, name);
  await waitForPort(port);
  return {
    name,
    pid: child.pid!,
    port,
    async heapUsed() {
      const text = await fetchText(`http://127.0.0.1:${port}/metrics`);
      const m = text && /^nodejs_heap_size_used_bytes (\d+)/m.exec(text);
      return m ? Number(m[1]) : undefined;
    },
    async stop() {
      await stopProcess(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function startPeer(name: "socketio" | "ws", opts: StartOptions): Promise<RunningSystem> {
  const port = await freePort();
  const child = spawnServer(process.execPath, [...(opts.nodeArgs ?? []), PEERS, name, String(port)], name);
  await waitForPort(port);
  return {
    name,
    pid: child.pid!,
    port,
    async heapUsed() {
      const text = await fetchText(`http://127.0.0.1:${port}/heap`);
      return text === undefined ? undefined : Number(text);
    },
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
    pid: child.pid!,
    port,
    heapUsed: async () => undefined,
    async stop() {
      await stopProcess(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
