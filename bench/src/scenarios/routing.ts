/**
 * Scenario `routing` (issue 15, items 5 and 6): what each routing costs, measured on real processes, for the
 * cost model to be fitted to (bench/src/routing-model/calibrate.ts; `--calibrate` runs it on the result).
 * For 1, 2, 4 and 8 gateways, one cluster per routing (`everything`, `redistributed` with Kafka and with
 * direct forwarding, one redistributor): a sequencer, a sink, the redistributor and the gateways as processes
 * of their own (routing-cluster.ts). Each cluster runs every workload in turn (routing-workload.ts): rooms of
 * 2 and 20 members, `local` or `spread` over the gateways, one fixed open-loop publish rate low enough that
 * eight gateways do not saturate a 2-core box, ~200-byte payloads. Per workload: connect, warm up
 * (unrecorded), then one measured window (routing-probe.ts reads the counters at both ends). Writes
 * routing.json in the schema of bench/src/routing-model/routing-points.ts. The broker and PostgreSQL are
 * this run's own unless PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL name running ones (the broker's CPU is then
 * not measured: 0).
 */
import { cpus, loadavg } from "node:os";
import { brokerPort } from "../broker-bytes.js";
import { Generator } from "../load/generator.js";
import type { ModelPoint, ModelResults } from "../routing-model/routing-points.js";
import { clusterSpace, startClusterServices } from "../systems/cluster-services.js";
import { ROUTING_PARTITIONS, startRoutingCluster, type RoutingTopology } from "../systems/routing-cluster.js";
import { log, requireOpened, sleep, type BenchOptions, type Scale } from "./common.js";
import { rates, snapshot, type ProbeTarget } from "./routing-probe.js";
import { publishers, roomsOf, workloadSpecs, type RoutingWorkload } from "./routing-workload.js";

/** One scale's plan: clusters, workloads, timings, and which points the fit leaves out. */
interface RoutingPlan {
  topologies: RoutingTopology[];
  workloads: RoutingWorkload[];
  warmMs: number;
  windowMs: number;
  /** Added to the first workload's warm-up: a fresh broker's JIT is slow for its first seconds (kafka.ts). */
  brokerWarmMs: number;
  heldBack: (t: RoutingTopology, w: RoutingWorkload) => boolean;
}

const everything = (gateways: number): RoutingTopology => ({
  gateways,
  routing: "everything",
  forwarding: null,
  redistributors: 0,
});
const redistributed = (gateways: number, forwarding: "kafka" | "direct"): RoutingTopology => ({
  gateways,
  routing: "redistributed",
  forwarding,
  redistributors: 1,
});

function workloads(connections: number, publishesPerSec: number, sizes: readonly number[]): RoutingWorkload[] {
  return sizes.flatMap((roomSize) =>
    (["local", "spread"] as const).map((spread) => ({
      roomSize,
      spread,
      connections,
      publishesPerSec,
      payloadBytes: 200,
    })),
  );
}

/** Every routing for 1, 2, 4 and 8 gateways; held back: the spread rooms of 20 on 4 gateways, every routing. */
function plan(windowMs: number, warmMs: number, brokerWarmMs: number): RoutingPlan {
  return {
    topologies: [1, 2, 4, 8].flatMap((g) => [everything(g), redistributed(g, "kafka"), redistributed(g, "direct")]),
    workloads: workloads(800, 100, [2, 20]),
    warmMs,
    windowMs,
    brokerWarmMs,
    heldBack: (t, w) => t.gateways === 4 && w.spread === "spread" && w.roomSize === 20,
  };
}

const PLANS: Record<Scale, RoutingPlan> = {
  full: plan(20_000, 6_000, 15_000),
  quick: plan(10_000, 3_000, 8_000),
  // The smoke test: 1 and 2 gateways, both routings, each forwarding once, rooms of 2, a few seconds.
  toy: {
    topologies: [everything(1), redistributed(1, "kafka"), everything(2), redistributed(2, "direct")],
    workloads: workloads(24, 20, [2]),
    warmMs: 1_000,
    windowMs: 2_500,
    brokerWarmMs: 0,
    heldBack: (t, w) => t.gateways === 2 && w.spread === "spread",
  },
};

export async function routing(opts: BenchOptions): Promise<ModelResults> {
  const p = PLANS[opts.scale];
  const load1Start = loadavg()[0] ?? 0;
  const services = await startClusterServices();
  log(`routing: broker ${services.brokers} (${services.origin.kafka}), postgres ${services.origin.postgres}`);
  // One space for every cluster, as the kafka scenario does: each space created and dropped slows the broker.
  const space = await clusterSpace(services);
  const points: ModelPoint[] = [];
  try {
    for (const [i, t] of p.topologies.entries()) {
      const start = { ...opts.start, cluster: services, space };
      // Only the run's first cluster warms the broker up.
      points.push(
        ...(await measureTopology(start, t, { ...p, brokerWarmMs: i === 0 ? p.brokerWarmMs : 0 }, opts.workers)),
      );
    }
  } finally {
    await space.drop().catch(() => {});
    await services.stop();
  }
  const machine = { cores: cpus().length, load1Start, load1End: loadavg()[0] ?? 0 };
  return { date: new Date().toISOString(), machine, points };
}

/** Starts one cluster and runs every workload on it in turn. */
async function measureTopology(
  start: BenchOptions["start"],
  t: RoutingTopology,
  p: RoutingPlan,
  workers: number,
): Promise<ModelPoint[]> {
  log(`routing: ${topologyId(t)}: starting`);
  const cluster = await startRoutingCluster(start, t);
  const services = start.cluster;
  if (!services) throw new Error("routing: no cluster services");
  const target: ProbeTarget = { cluster, brokerPort: brokerPort(services.brokers), brokerPid: services.brokerPid };
  const gen = new Generator(workers);
  const points: ModelPoint[] = [];
  try {
    for (const [i, w] of p.workloads.entries()) {
      const warmMs = p.warmMs + (i === 0 ? p.brokerWarmMs : 0);
      points.push(await measureWorkload(gen, { target, t }, w, { ...p, warmMs }));
    }
  } finally {
    await gen.close();
    await cluster.stop();
  }
  return points;
}

function topologyId(t: RoutingTopology): string {
  return `g${t.gateways}-${t.routing}${t.forwarding === null ? "" : `-${t.forwarding}`}`;
}

/** One point: connect the workload's rooms, warm up, measure one window, wait for its deliveries, disconnect. */
async function measureWorkload(
  gen: Generator,
  { target, t }: { target: ProbeTarget; t: RoutingTopology },
  w: RoutingWorkload,
  p: RoutingPlan,
): Promise<ModelPoint> {
  const id = `${topologyId(t)}-size${w.roomSize}-${w.spread}`;
  const specs = workloadSpecs(w, t.gateways, `${id}.`);
  const ports = target.cluster.gateways.map((g) => g.port);
  const opened = await gen.open("parley-kafka", ports, specs);
  requireOpened(id, opened.ok, specs.length);
  const pubs = publishers(w);
  await gen.publish(pubs, w.publishesPerSec, p.warmMs, w.payloadBytes);
  await gen.measure();
  const before = await snapshot(target);
  const sent = await gen.publish(pubs, w.publishesPerSec, p.windowMs, w.payloadBytes);
  const after = await snapshot(target);
  const report = await drained(gen, sent * w.roomSize);
  await gen.drop();
  const cluster = rates(before, after, t.forwarding === "direct");
  const { eventsTopicPerSec, ...measured } = cluster;
  log(
    `routing: ${id}: ${Math.round(eventsTopicPerSec)} events/s, delivered ${report.delivered} of ${sent * w.roomSize}, p50 ${report.latency.p50Ms} ms, p99 ${report.latency.p99Ms} ms`,
  );
  return {
    id,
    heldBack: p.heldBack(t, w),
    gateways: t.gateways,
    routing: t.routing,
    forwarding: t.forwarding,
    redistributors: t.routing === "redistributed" ? t.redistributors : 0,
    partitions: ROUTING_PARTITIONS,
    workload: {
      roomSize: w.roomSize,
      rooms: roomsOf(w),
      spread: w.spread,
      connections: w.connections,
      publishesPerSec: w.publishesPerSec,
      payloadBytes: w.payloadBytes,
    },
    measured: {
      eventsPerSec: eventsTopicPerSec,
      // Deliveries of the window's publishes per second of publishing (they may arrive after it ends).
      deliveredPerSec: report.delivered / (p.windowMs / 1000),
      latencyMs: { p50: report.latency.p50Ms, p99: report.latency.p99Ms },
      ...measured,
    },
  };
}

/** The window's report once every delivery it expects has arrived (or 15 s passed: the report says how many did). */
async function drained(gen: Generator, expected: number) {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const report = await gen.report();
    if (report.delivered >= expected || Date.now() > deadline) return report;
    await sleep(250);
  }
}
