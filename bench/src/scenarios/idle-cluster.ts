import { Generator } from "../load/generator.js";
import { rssKiB } from "../proc-stats.js";
import { clusterSpace, type ClusterServices } from "../systems/cluster-services.js";
import { startParleyProcess } from "../systems/parley-process.js";
import type { RunningSystem } from "../systems/system.js";
import { log, requireOpened, roomSpecs, sleep, type BenchOptions } from "./common.js";

/** Connections in all, gateways, generator processes per gateway (each holds ≤ 19 500 sockets: open-files limit). */
const SIZES = {
  full: { connections: 50_000, gateways: 3, workersPerGateway: 2 },
  quick: { connections: 6_000, gateways: 3, workersPerGateway: 1 },
  toy: { connections: 30, gateways: 3, workersPerGateway: 1 },
} as const;
const SETTLE_MS = 3_000;
/** Handshakes in flight per generator process: six processes at 200 each timed out some of 50 000 on a loaded machine. */
const CONCURRENCY = 60;

export interface GatewayIdle {
  connections: number;
  rssKiBPerConn: number;
  heapKiBPerConn: number | undefined;
  rssKiB: number;
}

export interface IdleClusterResult {
  sizes: (typeof SIZES)[keyof typeof SIZES];
  /** Time until every connection of every gateway was subscribed. */
  openMs: number;
  gateways: GatewayIdle[];
  /** Over all gateways: (RSS after − RSS before) / connections. */
  rssKiBPerConn: number;
  heapKiBPerConn: number | undefined;
}

/**
 * Scenario 4 at cluster scale: idle subscribed connections (rooms of 100)
 * spread over three `--role gateway` processes, with a sequencer beside
 * them, each gateway's share opened by its own generator processes.
 */
export async function idleCluster(opts: BenchOptions, cluster: ClusterServices): Promise<IdleClusterResult> {
  const size = SIZES[opts.scale];
  const space = await clusterSpace(cluster);
  const started: RunningSystem[] = [];
  const gens: Generator[] = [];
  try {
    started.push(
      await startParleyProcess(opts.start, "parley-kafka", space.args("sequencer"), {
        role: "sequencer",
        listens: false,
      }),
    );
    // Each gateway with its own generator; the measurements of each step are added to its entry.
    const nodes: { gw: RunningSystem; gen: Generator }[] = [];
    for (let g = 0; g < size.gateways; g++) {
      const gw = await startParleyProcess(opts.start, "parley-kafka", space.args("gateway"), { role: "gateway" });
      started.push(gw);
      const gen = new Generator(size.workersPerGateway);
      gens.push(gen);
      nodes.push({ gw, gen });
    }
    await sleep(SETTLE_MS);
    await Promise.all(nodes.map(({ gw }) => gw.collectGarbage()));
    const idle = await Promise.all(
      nodes.map(async (n) => ({ ...n, before: { rss: rssKiB(n.gw.pid), heap: await n.gw.heapUsed() } })),
    );
    const specs = roomSpecs(size.connections, 100);
    const t0 = performance.now();
    const loaded = await Promise.all(
      idle.map(async (n, g) => ({
        ...n,
        opened: await n.gen.open(
          "parley-kafka",
          n.gw.port,
          specs.filter((_, i) => i % size.gateways === g),
          CONCURRENCY,
        ),
      })),
    );
    const opened = loaded.map((n) => n.opened);
    const openMs = Math.round(performance.now() - t0);
    log(`kafka idle: opened ${opened.map((o) => `${o.ok} ok / ${o.failed} failed`).join(", ")} in ${openMs} ms`);
    requireOpened(
      "parley-kafka gateways",
      opened.reduce((a, o) => a + o.ok, 0),
      size.connections,
    );
    await sleep(SETTLE_MS);
    const per = await Promise.all(loaded.map((n) => measure(n.gw, n.opened.ok, n.before)));
    const total = per.reduce((a, p) => a + p.connections, 0);
    const sum = (f: (p: GatewayIdle) => number) => per.reduce((a, p) => a + f(p) * p.connections, 0) / total;
    const heapKnown = per.every((p) => p.heapKiBPerConn !== undefined);
    const result: IdleClusterResult = {
      sizes: size,
      openMs,
      gateways: per,
      rssKiBPerConn: round2(sum((p) => p.rssKiBPerConn)),
      heapKiBPerConn: heapKnown ? round2(sum((p) => p.heapKiBPerConn ?? 0)) : undefined,
    };
    log(
      `kafka idle: ${total} connections on ${size.gateways} gateways in ${openMs} ms; ${result.rssKiBPerConn} KiB RSS/conn, heap ${result.heapKiBPerConn ?? "-"} KiB/conn`,
    );
    return result;
  } finally {
    await Promise.all(gens.map((g) => g.close()));
    await Promise.all(started.map((s) => s.stop()));
    await space.drop();
  }
}

async function measure(gw: RunningSystem, connections: number, before: { rss: number; heap: number | undefined }) {
  await gw.collectGarbage();
  const rss = rssKiB(gw.pid);
  const heap = await gw.heapUsed();
  return {
    connections,
    rssKiBPerConn: round2((rss - before.rss) / connections),
    heapKiBPerConn:
      heap !== undefined && before.heap !== undefined ? round2((heap - before.heap) / 1024 / connections) : undefined,
    rssKiB: rss,
  };
}

const round2 = (v: number) => Math.round(v * 100) / 100;
