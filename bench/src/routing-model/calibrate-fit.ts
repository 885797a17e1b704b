/**
 * Fits the cost model's parameters to routing points by least squares (fit.ts), each process kind on its own
 * measurements: gateway CPU per gateway, redistributor CPU per redistributor, broker CPU per point, latency per
 * point. Only points with `heldBack: false` go in; the held-back ones are what the fit is checked on.
 */
import type { Calibration, SegmentMs } from "@parley/server/routing/calibration.js";
import { connectedProcesses, predict } from "@parley/server/routing/cost-model.js";
import { routingPath, stretchOf, type PathSegment } from "@parley/server/routing/latency-path.js";
import { fitNonNegative, type FitResult } from "./fit.js";
import { pointScenario } from "./point-model.js";
import { recordsReceived, type ModelPoint } from "./routing-points.js";

/** One group's fitted parameters and how well they fit. */
export interface GroupFit {
  group: string;
  observations: number;
  rms: number;
  params: Record<string, number>;
}

export interface CalibrationFit {
  calibration: Calibration;
  groups: GroupFit[];
}

const SEGMENTS = ["append", "fetch", "forwardProduce", "directSend", "deliver"] as const;
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

type CpuKey = Exclude<keyof Calibration, "latency" | "choice" | "source">;

/** Fits one group's parameters to its observations, each a feature row and a measured value. */
function fitGroup(
  name: string,
  keys: readonly CpuKey[],
  observations: readonly { row: number[]; value: number }[],
  cal: Calibration,
): GroupFit {
  const rows = observations.map((o) => o.row);
  const fit = fitNonNegative({ rows, targets: observations.map((o) => o.value), prior: keys.map((k) => cal[k]) });
  return group(name, keys, rows, fit);
}

function group(name: string, keys: readonly string[], rows: readonly number[][], fit: FitResult): GroupFit {
  return {
    group: name,
    observations: rows.length,
    rms: fit.rms,
    params: Object.fromEntries(keys.map((k, i) => [k, fit.x[i] ?? 0])),
  };
}

/** Bytes a record takes beyond its payload, from what gateways read from Kafka (the prior without such reads). */
function recordOverhead(points: readonly ModelPoint[], prior: number): number {
  const per = points.flatMap((p) =>
    p.measured.perGateway
      .filter((g) => g.recordsReadPerSec > 0 && g.bytesReadPerSec > 0)
      .map((g) => g.bytesReadPerSec / g.recordsReadPerSec - p.workload.payloadBytes),
  );
  return per.length === 0 ? prior : Math.max(0, mean(per));
}

const GATEWAY_KEYS = [
  "gatewayReadUs",
  "gatewayForwardReadUs",
  "gatewayDirectReadUs",
  "gatewayDeliverUs",
  "gatewayPublishUs",
  "gatewayIdleUsPerSec",
] as const;

function fitGateways(points: readonly ModelPoint[], cal: Calibration): GroupFit {
  const observations = points.flatMap((p) => {
    const b = p.workload.payloadBytes + cal.recordOverheadBytes;
    const kind = p.routing === "everything" ? 0 : p.forwarding === "direct" ? 2 : 1;
    return p.measured.perGateway.map((g) => {
      const perKind = [0, 1, 2].map((k) => (k === kind ? recordsReceived(g, b) : 0));
      // Publishers are dealt to the gateways evenly, so each takes its share of the events' publishes.
      const publishes = p.measured.eventsPerSec / Math.max(1, p.gateways);
      return { row: [...perKind, g.deliveredPerSec, publishes, 1], value: g.cpuUsPerSec };
    });
  });
  return fitGroup("gateway CPU µs/s, per gateway", GATEWAY_KEYS, observations, cal);
}

const REDISTRIBUTOR_KEYS = [
  "redistributorIdleUsPerSec",
  "redistributorReadUs",
  "redistributorForwardKafkaUs",
  "redistributorForwardDirectUs",
] as const;

function fitRedistributors(points: readonly ModelPoint[], cal: Calibration): GroupFit {
  const observations = points.flatMap((p) =>
    p.measured.redistributors.map((r) => {
      const direct = p.forwarding === "direct";
      const forwards = [direct ? 0 : r.forwardsPerSec, direct ? r.forwardsPerSec : 0];
      return { row: [1, r.recordsReadPerSec, ...forwards], value: r.cpuUsPerSec };
    }),
  );
  return fitGroup("redistributor CPU µs/s, per redistributor", REDISTRIBUTOR_KEYS, observations, cal);
}

const BROKER_KEYS = ["brokerOutUsPerByte", "brokerInUsPerRecord", "brokerIdleUsPerSec"] as const;

function fitBroker(points: readonly ModelPoint[], cal: Calibration): GroupFit {
  const observations = points
    .filter((p) => p.measured.brokerCpuUsPerSec > 0)
    .map((p) => {
      const forwarded =
        p.forwarding === "kafka" ? p.measured.redistributors.reduce((s, r) => s + r.forwardsPerSec, 0) : 0;
      return {
        row: [p.measured.brokerOutBytesPerSec, p.measured.eventsPerSec + forwarded, 1],
        value: p.measured.brokerCpuUsPerSec,
      };
    });
  return fitGroup("broker CPU µs/s, per point", BROKER_KEYS, observations, cal);
}

/**
 * The broker's outbound bytes beyond the records the model counts, per connected process: what a point
 * measured minus the model's record bytes (baseline 0), against the point's process count.
 */
function fitBrokerBaseline(points: readonly ModelPoint[], cal: Calibration): GroupFit {
  const recordsOnly = { ...cal, brokerOutBytesPerProcessPerSec: 0 };
  const observations = points
    .filter((p) => p.measured.brokerOutBytesPerSec > 0)
    .map((p) => {
      const s = pointScenario(p);
      const records = predict(s, recordsOnly).brokerOutBytesPerSec;
      return { row: [connectedProcesses(s, cal)], value: p.measured.brokerOutBytesPerSec - records };
    });
  return fitGroup("broker out B/s beyond records, per point", ["brokerOutBytesPerProcessPerSec"], observations, cal);
}

/** Each segment's total stretch on the point's path, from the processes' measured CPU. */
function segmentWeights(p: ModelPoint, cal: Calibration, square: boolean): number[] {
  const gatewayUse = mean(p.measured.perGateway.map((g) => g.cpuUsPerSec)) / 1e6 / cal.coresPerProcess;
  const redUse = Math.max(0, ...p.measured.redistributors.map((r) => r.cpuUsPerSec)) / 1e6 / cal.coresPerProcess;
  const kind = p.routing === "everything" ? "everything" : (p.forwarding ?? "kafka");
  const path: PathSegment[] = routingPath(kind, stretchOf(gatewayUse), stretchOf(redUse));
  return SEGMENTS.map((s) =>
    path.filter((x) => x.segment === s).reduce((sum, x) => sum + (square ? x.stretch ** 2 : x.stretch), 0),
  );
}

/** p50s add, so they fit linearly; p99 − p50 adds in quadrature, so its square fits linearly in the squares. */
function fitLatency(
  points: readonly ModelPoint[],
  cal: Calibration,
): { p50: GroupFit; tail: GroupFit; latency: Calibration["latency"] } {
  const usable = points.filter((p) => p.measured.latencyMs.p99 > 0);
  const p50Rows = usable.map((p) => segmentWeights(p, cal, false));
  const p50 = fitNonNegative({
    rows: p50Rows,
    targets: usable.map((p) => p.measured.latencyMs.p50),
    prior: SEGMENTS.map((s) => cal.latency[s].p50),
  });
  const tailRows = usable.map((p) => segmentWeights(p, cal, true));
  const tailTargets = usable.map((p) => Math.max(0, p.measured.latencyMs.p99 - p.measured.latencyMs.p50) ** 2);
  const tailPrior = SEGMENTS.map((s) => (cal.latency[s].p99 - cal.latency[s].p50) ** 2);
  const tail = fitNonNegative({ rows: tailRows, targets: tailTargets, prior: tailPrior });
  const latency = Object.fromEntries(
    SEGMENTS.map((s, i): [string, SegmentMs] => {
      const median = p50.x[i] ?? cal.latency[s].p50;
      return [s, { p50: median, p99: median + Math.sqrt(tail.x[i] ?? 0) }];
    }),
  ) as Calibration["latency"];
  return {
    p50: group("latency p50 ms, per point", SEGMENTS, p50Rows, p50),
    tail: { ...group("latency (p99 − p50)² ms², per point", SEGMENTS, tailRows, tail), rms: Math.sqrt(tail.rms) },
    latency,
  };
}

/** Fits every measurable parameter to the points not held back, starting from (and pulled toward) `prior`. */
export function calibrate(points: readonly ModelPoint[], prior: Calibration, source: string): CalibrationFit {
  const used = points.filter((p) => !p.heldBack);
  const withOverhead = { ...prior, recordOverheadBytes: recordOverhead(used, prior.recordOverheadBytes) };
  const gateways = fitGateways(used, withOverhead);
  const redistributors = fitRedistributors(used, withOverhead);
  const broker = fitBroker(used, withOverhead);
  const baseline = fitBrokerBaseline(used, withOverhead);
  const latency = fitLatency(used, withOverhead);
  const calibration: Calibration = {
    ...withOverhead,
    ...gateways.params,
    ...redistributors.params,
    ...broker.params,
    ...baseline.params,
    latency: latency.latency,
    source,
  };
  return { calibration, groups: [gateways, redistributors, broker, baseline, latency.p50, latency.tail] };
}
