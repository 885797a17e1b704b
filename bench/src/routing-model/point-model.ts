/** A measured routing point as the cost model sees it: its topology and workload, and the model's prediction. */
import type { Calibration } from "@parley/server/routing/calibration.js";
import { predict, type Scenario } from "@parley/server/routing/cost-model.js";
import { gatewaysTouchedRoundRobin } from "@parley/server/routing/room-spread.js";
import type { ModelPoint, PointPrediction } from "./routing-points.js";

/**
 * The share of events each gateway needs: the bench deals rooms to gateways evenly, a `local` room on one
 * gateway, a `spread` room's members round-robin over min(n, G) of them (bench/src/scenarios/routing-workload.ts).
 */
export function pointFraction(p: ModelPoint): number {
  const touched = p.workload.spread === "local" ? 1 : gatewaysTouchedRoundRobin(p.workload.roomSize, p.gateways);
  return Math.min(1, touched / Math.max(1, p.gateways));
}

/** The point's scenario: its measured event rate is an input, like the room layout; deliveries follow from them. */
export function pointScenario(p: ModelPoint): Scenario {
  const events = p.measured.eventsPerSec;
  return {
    routing: p.routing,
    topology: {
      gateways: p.gateways,
      redistributors: p.redistributors,
      forwarding: p.forwarding ?? "kafka",
      partitions: p.partitions,
    },
    workload: {
      eventsPerSec: events,
      payloadBytes: p.workload.payloadBytes,
      neededFraction: pointFraction(p),
      deliveredPerSecPerGateway: (events * p.workload.roomSize) / Math.max(1, p.gateways),
      // Rooms, so their publishers, are dealt to the gateways evenly (routing-workload.ts).
      publishesPerSecPerGateway: events / Math.max(1, p.gateways),
    },
  };
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** The schema's `predicted` for one point. */
export function predictPoint(p: ModelPoint, cal: Calibration): PointPrediction {
  const r = predict(pointScenario(p), cal);
  return {
    perGatewayRecordsReadPerSec: mean(r.perGateway.map((g) => g.recordsReadPerSec)),
    perGatewayCpuUsPerSec: mean(r.perGateway.map((g) => g.cpuUsPerSec)),
    latencyMs: r.latencyMs,
    brokerOutBytesPerSec: r.brokerOutBytesPerSec,
    perGatewayRecordsReceivedPerSec: mean(r.perGateway.map((g) => g.recordsReadPerSec + g.forwardedRecordsPerSec)),
    calibration: cal.source,
  };
}
