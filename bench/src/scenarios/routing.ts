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
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { brokerPort } from "../broker-bytes.js";
import { Generator } from "../load/generator.js";
import type { ModelPoint, ModelResults } from "../routing-model/routing-points.js";
import { clusterSpace, startClusterServices } from "../systems/cluster-services.js";
import {
  ROUTING_PARTITIONS,
  startRoutingCluster,
  type RoutingCluster,
  type RoutingTopology,
} from "../systems/routing-cluster.js";
import { waitReady } from "../systems/cluster-system.js";
import { fetchText, metricSum } from "../systems/system.js";
import { log, requireOpened, sleep, type BenchOptions } from "./common.js";
import { rates, snapshot, type ProbeTarget } from "./routing-probe.js";
import { atRate, merged, narrowed, PLANS, pointId, topologyId, type RoutingPlan } from "./routing-plan.js";
import { publishers, roomsOf, workloadSpecs, type RoutingWorkload } from "./routing-workload.js";

export async function routing(opts: BenchOptions): Promise<ModelResults> {
  const whole = opts.routingRate === undefined ? PLANS[opts.scale] : atRate(PLANS[opts.scale], opts.routingRate);
  const p = narrowed(whole, opts.routingClusters);
  // A run of chosen clusters replaces their points in the last results and keeps the others.
  const earlier = opts.routingClusters || opts.routingRate ? earlierResults(opts.out) : undefined;
  const load1Start = earlier?.machine.load1Start ?? loadavg()[0] ?? 0;
  const services = await startClusterServices();
  log(`routing: broker ${services.brokers} (${services.origin.kafka}), postgres ${services.origin.postgres}`);
  // One space for every cluster, as the kafka scenario does: each space created and dropped slows the broker.
  const space = await clusterSpace(services);
  const points: ModelPoint[] = [];
  const results = () => resultsOf(merged(whole, earlier?.points ?? [], points), load1Start);
  try {
    for (const [i, t] of p.topologies.entries()) {
      const start = { ...opts.start, cluster: services, space };
      // Only the run's first cluster warms the broker up.
      points.push(...(await measureOrLeaveOut(start, t, { ...p, brokerWarmMs: i === 0 ? p.brokerWarmMs : 0 }, opts)));
      // Written after every cluster, so a run cut short keeps what it measured.
      writeFileSync(join(opts.out, "routing.json"), JSON.stringify(results(), null, 2) + "\n");
    }
  } finally {
    await space.drop().catch(() => {});
    await services.stop();
  }
  return results();
}

/** A cluster that fails to start or measure twice is left out, loudly, rather than losing the run's other points. */
async function measureOrLeaveOut(
  start: BenchOptions["start"],
  t: RoutingTopology,
  p: RoutingPlan,
  opts: BenchOptions,
): Promise<ModelPoint[]> {
  const once = () => measureTopology(start, t, p, opts.workers);
  return once()
    .catch((err: unknown) => {
      log(`routing: ${topologyId(t)}: ${String(err)}; starting it once more`);
      return once();
    })
    .catch((err: unknown) => {
      log(`routing: ${topologyId(t)} LEFT OUT: ${String(err)}`);
      return [];
    });
}

function earlierResults(out: string): ModelResults | undefined {
  const file = join(out, "routing.json");
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as ModelResults) : undefined;
}

function resultsOf(points: ModelPoint[], load1Start: number): ModelResults {
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
    await routingToAll(cluster, t.gateways);
    for (const [i, w] of p.workloads.entries()) {
      const warmMs = p.warmMs + (i === 0 ? p.brokerWarmMs : 0);
      const once = (attempt: number) => measureWorkload(gen, { target, t, attempt }, w, { ...p, warmMs });
      // Under load a redistributor's group session can stall (a broker connection closed mid-join): once more.
      points.push(
        await once(1).catch(async (err: unknown) => {
          log(`routing: ${topologyId(t)}: ${String(err)}; trying the workload once more`);
          await Promise.all(cluster.gateways.map((g) => waitReady(g.port, "routing gateway")));
          return once(2);
        }),
      );
    }
  } finally {
    await gen.close();
    await cluster.stop();
  }
  return points;
}

/** Waits (30 s at most, then goes on) until every redistributor holds every gateway's lease. */
async function routingToAll(cluster: RoutingCluster, gateways: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  const count = async (r: RoutingCluster["redistributors"][number]) =>
    metricSum((await fetchText(`http://127.0.0.1:${r.port}/metrics`)) ?? "", "parley_redistributor_gateways");
  while (Date.now() < deadline) {
    const counts = await Promise.all(cluster.redistributors.map(count));
    if (counts.every((c) => c === gateways)) return;
    await sleep(250);
  }
  log(`routing: a redistributor does not route to all ${gateways} gateways after 30 s; measuring anyway`);
}

/** One point: connect the workload's rooms, warm up, measure one window, wait for its deliveries, disconnect. */
async function measureWorkload(
  gen: Generator,
  { target, t, attempt }: { target: ProbeTarget; t: RoutingTopology; attempt: number },
  w: RoutingWorkload,
  p: RoutingPlan,
): Promise<ModelPoint> {
  const id = pointId(t, w, p.idSuffix);
  const specs = workloadSpecs(w, t.gateways, `${id}.${attempt}.`);
  const ports = target.cluster.gateways.map((g) => g.port);
  const pubs = publishers(w);
  const measureWindow = async () => {
    const opened = await gen.open("parley-kafka", ports, specs);
    requireOpened(id, opened.ok, specs.length);
    await gen.publish(pubs, w.publishesPerSec, p.warmMs, w.payloadBytes);
    await gen.measure();
    const before = await snapshot(target);
    const sent = await gen.publish(pubs, w.publishesPerSec, p.windowMs, w.payloadBytes);
    const after = await snapshot(target);
    return { before, after, sent, report: await drained(gen, sent * w.roomSize) };
  };
  const { before, after, sent, report } = await measureWindow().finally(() => gen.drop());
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
