/**
 * Routing points made from a known calibration, laid out like `npm run bench -- routing --quick` (1, 2, 4 and 8
 * gateways; everything, Kafka and direct forwarding; rooms of 2 and 20, local and spread; 4 gateways held
 * back), with a deterministic ±`noise` on every measurement. The calibration tests fit them and check they get
 * the calibration back; `fixtures/routing.json` was written by it.
 */
import type { Calibration } from "@parley/server/routing/calibration.js";
import { predict } from "@parley/server/routing/cost-model.js";
import { pointScenario } from "./point-model.js";
import type { ModelPoint, ModelResults } from "./routing-points.js";

const KINDS = [
  { routing: "everything", forwarding: null },
  { routing: "redistributed", forwarding: "kafka" },
  { routing: "redistributed", forwarding: "direct" },
] as const;

/** A small linear congruential generator: the same points on every run. */
function jitter(seed: number, noise: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return 1 + noise * ((s / 2 ** 32) * 2 - 1);
  };
}

function skeleton(gateways: number, kind: (typeof KINDS)[number], roomSize: number, spread: "local" | "spread") {
  const connections = 800;
  const id = `g${gateways}-${kind.routing}${kind.forwarding ? `-${kind.forwarding}` : ""}-size${roomSize}-${spread}`;
  const point: ModelPoint = {
    id,
    heldBack: gateways === 4,
    gateways,
    ...kind,
    redistributors: kind.routing === "everything" ? 0 : 1,
    partitions: 12,
    workload: { roomSize, rooms: connections / roomSize, spread, connections, publishesPerSec: 100, payloadBytes: 200 },
    measured: {
      eventsPerSec: 100 * (1 + gateways / 4),
      deliveredPerSec: 0,
      latencyMs: { p50: 0, p99: 0 },
      perGateway: [],
      redistributors: [],
      brokerOutBytesPerSec: 0,
      brokerCpuUsPerSec: 0,
    },
  };
  return point;
}

function measure(point: ModelPoint, truth: Calibration, j: () => number): void {
  const s = pointScenario(point);
  const r = predict(s, truth);
  const m = point.measured;
  const delivered = s.workload.deliveredPerSecPerGateway ?? 0;
  const b = point.workload.payloadBytes + truth.recordOverheadBytes;
  m.perGateway = r.perGateway.map((g) => ({
    recordsReadPerSec: g.recordsReadPerSec,
    bytesReadPerSec: g.recordsReadPerSec * b,
    forwardedBytesPerSec: g.forwardedBytesPerSec,
    deliveredPerSec: delivered,
    cpuUsPerSec: g.cpuUsPerSec * j(),
    recordsReceivedPerSec: g.recordsReadPerSec + g.forwardedRecordsPerSec,
  }));
  m.deliveredPerSec = delivered * point.gateways;
  const forwards = r.perGateway.reduce((sum, g) => sum + g.recordsReadPerSec + g.forwardedRecordsPerSec, 0);
  if (point.routing === "redistributed")
    m.redistributors = [
      { recordsReadPerSec: m.eventsPerSec, forwardsPerSec: forwards, cpuUsPerSec: r.redistributorCpuUsPerSec * j() },
    ];
  m.brokerOutBytesPerSec = r.brokerOutBytesPerSec;
  m.brokerCpuUsPerSec = r.brokerCpuUsPerSec * j();
  m.latencyMs = { p50: r.latencyMs.p50 * j(), p99: r.latencyMs.p99 * j() };
}

/** The points of a quick routing run whose processes behave exactly as `truth` says, give or take `noise`. */
export function syntheticResults(truth: Calibration, noise = 0): ModelResults {
  const j = jitter(15, noise);
  const points: ModelPoint[] = [];
  for (const gateways of [1, 2, 4, 8])
    for (const kind of KINDS)
      for (const roomSize of [2, 20])
        for (const spread of gateways === 1 ? (["local"] as const) : (["local", "spread"] as const)) {
          const point = skeleton(gateways, kind, roomSize, spread);
          measure(point, truth, j);
          points.push(point);
        }
  return { date: "2026-12-07T07:00:00.000Z", machine: { cores: 2, load1Start: 0, load1End: 0 }, points };
}
