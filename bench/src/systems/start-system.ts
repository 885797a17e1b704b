import { fileURLToPath } from "node:url";
import type { SystemName } from "../wire/wire.js";
import { startCentrifugo } from "./centrifugo.js";
import { startParleyKafka, startParleyKafkaBase, startParleyKafkaSplit } from "./cluster-system.js";
import { collectGarbageOf, GC_ARGS, PARLEY_CLI, startParley, type StartOptions } from "./parley-process.js";
import {
  fetchText,
  freePort,
  spawnServer,
  startNativeServer,
  stopProcess,
  waitForPort,
  type RunningSystem,
} from "./system.js";

const PEERS = fileURLToPath(new URL("./peer-servers.js", import.meta.url));
const NATS = "/usr/sbin/nats-server";

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
  if (name === "parley-kafka-base") return startParleyKafkaBase(opts);
  if (name === "parley-kafka-split") return startParleyKafkaSplit(opts);
  if (name === "nats") return startNats();
  if (name === "centrifugo") return startCentrifugo();
  if (name === "ws" || name === "socketio") return startPeer(name, opts);
  throw new Error(`unknown system ${name}`);
}

async function startPeer(name: "socketio" | "ws", opts: StartOptions): Promise<RunningSystem> {
  const port = await freePort();
  const child = spawnServer(process.execPath, [...GC_ARGS, ...(opts.nodeArgs ?? []), PEERS, name, String(port)], name);
  await waitForPort(port);
  return {
    name,
    pid: child.pid,
    port,
    processes: [{ role: "server", pid: child.pid }],
    ports: [port],
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
  const text = [
    `listen: "127.0.0.1:${clientPort}"`,
    "max_connections: 1000000",
    `websocket { listen: "127.0.0.1:${port}", no_tls: true, compression: false }`,
    "",
  ].join("\n");
  return startNativeServer({
    name: "nats",
    binary: NATS,
    config: { file: "nats.conf", text },
    args: (c) => ["-c", c],
    port,
  });
}
