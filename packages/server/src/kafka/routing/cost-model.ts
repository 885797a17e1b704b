/**
 * The routing cost model (issue 15; docs/cluster.md, "The cost model"). Given a topology and a workload it
 * predicts, for `everything` and for `redistributed` over either forwarding, what each gateway reads and spends,
 * what the redistributors and the broker spend, and the publish→deliver latency. With E events/s of P bytes,
 * b = P + overhead bytes a record, f_g the fraction of events gateway g must deliver, D_g its deliveries/s:
 *
 * - gateway CPU: idle + D_g·deliver + U_g·publish + E·read (everything) | f_g·E·forwardRead (Kafka) | f_g·E·directRead (direct)
 * - redistributors: E·redistributorRead + Σf_g·E·forward(kind), shared by min(R, partitions), each plus its idle
 * - broker out bytes: (G + others)·E·b (everything) | (1 + others)·E·b + Σf_g·E·b (Kafka) | (1 + others)·E·b,
 *   plus a baseline per connected process (gateways, busy redistributors, the sequencer and the sink)
 * - broker CPU: idle + out bytes·outPerByte + records in·inPerRecord (E, plus Σf_g·E forwards over Kafka)
 * - latency: the routing's segments (latency-path.ts), each stretched by 1/(1-ρ) of the process running it
 *
 * All parameters come from one `Calibration` (calibration.ts; fitted values in calibrated.ts).
 */
import { CALIBRATION } from "./calibrated.js";
import type { Calibration, SegmentMs } from "./calibration.js";
import { pathLatency, routingPath, SATURATION, stretchOf } from "./latency-path.js";

export type Routing = "everything" | "redistributed";
export type Forwarding = "kafka" | "direct";

/** The cluster's shape. */
export interface Topology {
  gateways: number;
  /** Redistributor processes (ignored by `everything`); at most `partitions` of them have work. */
  redistributors: number;
  forwarding: Forwarding;
  partitions: number;
}

/** What flows through it. */
export interface Workload {
  /** Records appended to the events topic per second. */
  eventsPerSec: number;
  payloadBytes: number;
  /** f_g per gateway (one entry per gateway), or one f for every gateway: the share of events it must deliver. */
  neededFraction: number | readonly number[];
  /** Messages each gateway delivers to clients per second: the same under both routings (default 0). */
  deliveredPerSecPerGateway?: number;
  /** Publishes each gateway takes from its clients per second: the same under both routings (default 0). */
  publishesPerSecPerGateway?: number;
}

/** One gateway's predicted traffic, CPU and latency. */
export interface GatewayPrediction {
  /** Records read from Kafka: every events record, or its forward topic's (0 with direct forwarding). */
  recordsReadPerSec: number;
  bytesReadPerSec: number;
  /** Records and bytes received over the direct stream (0 otherwise). */
  forwardedRecordsPerSec: number;
  forwardedBytesPerSec: number;
  cpuUsPerSec: number;
  /** Share of its cores busy (≥ 0.95: saturated, latency no longer meaningful). */
  utilisation: number;
  latencyMs: SegmentMs;
}

/** One routing's prediction for the whole cluster. */
export interface RoutingPrediction {
  routing: Routing;
  forwarding: Forwarding | null;
  perGateway: GatewayPrediction[];
  /** CPU of each redistributor that has partitions (0 with everything). */
  redistributorCpuUsPerSec: number;
  redistributorsBusy: number;
  brokerOutBytesPerSec: number;
  brokerCpuUsPerSec: number;
  /** Over all deliveries: p50 weighted by each gateway's share, p99 the worst gateway's. */
  latencyMs: SegmentMs;
  /** Some gateway or redistributor is past 95 % of its cores: it falls behind and the latency grows without bound. */
  saturated: boolean;
}

/** A routing (and with `redistributed`, the topology's forwarding) under a workload. */
export interface Scenario {
  routing: Routing;
  topology: Topology;
  workload: Workload;
}

function fractions(workload: Workload, gateways: number): number[] {
  const f = workload.neededFraction;
  const list = typeof f === "number" ? Array.from({ length: gateways }, () => f) : [...f];
  if (list.length !== gateways) throw new Error(`neededFraction has ${list.length} entries for ${gateways} gateways`);
  return list.map((x) => Math.min(1, Math.max(0, x)));
}

function gatewayInput(s: Scenario, f: number, cal: Calibration) {
  const events = s.workload.eventsPerSec;
  const b = s.workload.payloadBytes + cal.recordOverheadBytes;
  const clients =
    (s.workload.deliveredPerSecPerGateway ?? 0) * cal.gatewayDeliverUs +
    (s.workload.publishesPerSecPerGateway ?? 0) * cal.gatewayPublishUs;
  const fixed = cal.gatewayIdleUsPerSec + clients;
  if (s.routing === "everything")
    return { kafka: events, direct: 0, bytes: b, cpu: fixed + events * cal.gatewayReadUs };
  const wanted = f * events;
  if (s.topology.forwarding === "kafka")
    return { kafka: wanted, direct: 0, bytes: b, cpu: fixed + wanted * cal.gatewayForwardReadUs };
  return { kafka: 0, direct: wanted, bytes: b, cpu: fixed + wanted * cal.gatewayDirectReadUs };
}

function redistributorLoad(s: Scenario, forwards: number, cal: Calibration) {
  if (s.routing === "everything") return { each: 0, busy: 0 };
  const perForward =
    s.topology.forwarding === "kafka" ? cal.redistributorForwardKafkaUs : cal.redistributorForwardDirectUs;
  const busy = Math.max(1, Math.min(s.topology.redistributors, s.topology.partitions));
  const total = s.workload.eventsPerSec * cal.redistributorReadUs + forwards * perForward;
  return { each: cal.redistributorIdleUsPerSec + total / busy, busy };
}

/** Parley processes connected to the broker: every gateway, the redistributors (redistributed), the others. */
export function connectedProcesses(s: Pick<Scenario, "routing" | "topology">, cal: Calibration): number {
  const redistributors = s.routing === "everything" ? 0 : s.topology.redistributors;
  return s.topology.gateways + redistributors + cal.otherProcesses;
}

function brokerLoad(s: Scenario, forwards: number, cal: Calibration) {
  const events = s.workload.eventsPerSec;
  const b = s.workload.payloadBytes + cal.recordOverheadBytes;
  const everything = s.routing === "everything";
  const viaKafka = !everything && s.topology.forwarding === "kafka";
  const readers = (everything ? s.topology.gateways : 1) + cal.otherReaders;
  const baseline = connectedProcesses(s, cal) * cal.brokerOutBytesPerProcessPerSec;
  const outBytes = readers * events * b + (viaKafka ? forwards * b : 0) + baseline;
  const inRecords = events + (viaKafka ? forwards : 0);
  const cpu = cal.brokerIdleUsPerSec + outBytes * cal.brokerOutUsPerByte + inRecords * cal.brokerInUsPerRecord;
  return { outBytes, cpu };
}

function pathKind(s: Scenario): "everything" | "kafka" | "direct" {
  return s.routing === "everything" ? "everything" : s.topology.forwarding;
}

/** Predicts one routing's per-gateway, redistributor and broker costs and its latency. */
export function predict(s: Scenario, cal: Calibration = CALIBRATION): RoutingPrediction {
  const f = fractions(s.workload, s.topology.gateways);
  const forwards = f.reduce((sum, x) => sum + x * s.workload.eventsPerSec, 0);
  const red = redistributorLoad(s, forwards, cal);
  const redUse = red.each / 1e6 / cal.coresPerProcess;
  const perGateway = f.map((fg) => {
    const g = gatewayInput(s, fg, cal);
    const utilisation = g.cpu / 1e6 / cal.coresPerProcess;
    const path = routingPath(pathKind(s), stretchOf(utilisation), stretchOf(redUse));
    return {
      recordsReadPerSec: g.kafka,
      bytesReadPerSec: g.kafka * g.bytes,
      forwardedRecordsPerSec: g.direct,
      forwardedBytesPerSec: g.direct * g.bytes,
      cpuUsPerSec: g.cpu,
      utilisation,
      latencyMs: pathLatency(path, cal),
    };
  });
  const broker = brokerLoad(s, forwards, cal);
  return {
    routing: s.routing,
    forwarding: s.routing === "everything" ? null : s.topology.forwarding,
    perGateway,
    redistributorCpuUsPerSec: red.each,
    redistributorsBusy: red.busy,
    brokerOutBytesPerSec: broker.outBytes,
    brokerCpuUsPerSec: broker.cpu,
    latencyMs: overallLatency(perGateway, f),
    saturated: redUse >= SATURATION || perGateway.some((g) => g.utilisation >= SATURATION),
  };
}

function overallLatency(perGateway: readonly GatewayPrediction[], f: readonly number[]): SegmentMs {
  const weights = f.reduce((a, b) => a + b, 0);
  const p50 =
    weights === 0
      ? (perGateway[0]?.latencyMs.p50 ?? 0)
      : perGateway.reduce((sum, g, i) => sum + g.latencyMs.p50 * (f[i] ?? 0), 0) / weights;
  return { p50, p99: Math.max(0, ...perGateway.map((g) => g.latencyMs.p99)) };
}

/** Gateway, redistributor and broker CPU of the whole cluster, per gateway: what `chooseRouting` compares. */
export function clusterCpuPerGateway(p: RoutingPrediction): number {
  const gateways = p.perGateway.reduce((sum, g) => sum + g.cpuUsPerSec, 0);
  const total = gateways + p.redistributorCpuUsPerSec * p.redistributorsBusy + p.brokerCpuUsPerSec;
  return total / Math.max(1, p.perGateway.length);
}

/** What a gateway knows of itself and the cluster: the input of `--routing auto`. */
export interface GatewayView {
  gateways: number;
  eventsPerSec: number;
  payloadBytes: number;
  /** Events of rooms this gateway has subscribers in. */
  neededEventsPerSec: number;
  forwarding: "kafka" | "direct";
}

/** The routing `chooseRouting` picked, why, and what it predicted for both. */
export interface RoutingChoice {
  routing: "everything" | "redistributed";
  reason: string;
  predicted: {
    everything: PredictedCost;
    redistributed: PredictedCost;
  };
}

/** What `chooseRouting` compares for one routing. */
export interface PredictedCost {
  cpuUsPerSec: number;
  latencyP99Ms: number;
  /** A gateway or redistributor past 95 % of its cores: it falls behind, whatever its p99 says. */
  saturated: boolean;
}

/** Redistributors a redistributed cluster of this load runs: enough that each uses at most half its cores. */
function redistributorsFor(view: GatewayView, f: number, cal: Calibration): number {
  const perForward = view.forwarding === "kafka" ? cal.redistributorForwardKafkaUs : cal.redistributorForwardDirectUs;
  const total = view.eventsPerSec * (cal.redistributorReadUs + f * view.gateways * perForward);
  return Math.max(1, Math.ceil(total / (0.5e6 * cal.coresPerProcess)));
}

/**
 * Picks a gateway's routing. Every gateway is taken to need the share f = neededEventsPerSec / eventsPerSec
 * this one needs. Cost is CPU per gateway over the whole cluster (the gateways', the redistributors' and the
 * broker's, whose outbound bytes are priced by `brokerOutUsPerByte`), since `everything` spends it on the
 * gateways and the broker and `redistributed` moves it to the redistributors. The rule:
 *
 * 1. Both routings' p99 within `choice.latencyBudgetP99Ms`: `redistributed` when it costs at least
 *    `choice.switchMargin` less than `everything`, else `everything` (simpler, one hop less).
 * 2. Only one within the budget (typically: a gateway reading everything saturates): that one.
 * 3. Neither: the lower p99.
 *
 * A saturated routing (some process past 95 % of its cores) is never within the budget, whatever p99 the
 * model gives it: a fitted calibration may put the latency in segments the saturated process does not run
 * (a zero fetch segment does not stretch), yet a process that cannot keep up falls behind without bound.
 * Two saturated routings: the one with less CPU per gateway (the less overloaded).
 *
 * `cpuUsPerSec` in `predicted` is that cluster CPU per gateway; client deliveries, the same under both, are left out.
 */
export function chooseRouting(view: GatewayView, calibration: Calibration = CALIBRATION): RoutingChoice {
  const f = view.eventsPerSec > 0 ? Math.min(1, view.neededEventsPerSec / view.eventsPerSec) : 0;
  const topology = {
    gateways: view.gateways,
    redistributors: redistributorsFor(view, f, calibration),
    forwarding: view.forwarding,
    partitions: Number.MAX_SAFE_INTEGER,
  };
  const workload = { eventsPerSec: view.eventsPerSec, payloadBytes: view.payloadBytes, neededFraction: f };
  const ev = predict({ routing: "everything", topology, workload }, calibration);
  const re = predict({ routing: "redistributed", topology, workload }, calibration);
  const predicted = {
    everything: { cpuUsPerSec: clusterCpuPerGateway(ev), latencyP99Ms: ev.latencyMs.p99, saturated: ev.saturated },
    redistributed: { cpuUsPerSec: clusterCpuPerGateway(re), latencyP99Ms: re.latencyMs.p99, saturated: re.saturated },
  };
  const { routing, why } = decide(predicted, calibration.choice);
  const numbers =
    `needs ${(f * 100).toFixed(1)} % of ${Math.round(view.eventsPerSec)} events/s over ${view.gateways} gateways; ` +
    `cluster CPU per gateway ${Math.round(predicted.everything.cpuUsPerSec)} (everything) vs ` +
    `${Math.round(predicted.redistributed.cpuUsPerSec)} µs/s (redistributed, ${view.forwarding}); ` +
    `p99 ${predicted.everything.latencyP99Ms.toFixed(1)} vs ${predicted.redistributed.latencyP99Ms.toFixed(1)} ms`;
  return { routing, reason: `${why}: ${numbers}`, predicted };
}

function decide(
  p: RoutingChoice["predicted"],
  choice: Calibration["choice"],
): { routing: RoutingChoice["routing"]; why: string } {
  const budget = choice.latencyBudgetP99Ms;
  const evOk = !p.everything.saturated && p.everything.latencyP99Ms <= budget;
  const reOk = !p.redistributed.saturated && p.redistributed.latencyP99Ms <= budget;
  if (evOk && reOk) {
    const cheaper = p.redistributed.cpuUsPerSec < (1 - choice.switchMargin) * p.everything.cpuUsPerSec;
    return cheaper
      ? { routing: "redistributed", why: `redistributed saves over ${choice.switchMargin * 100} % of the CPU` }
      : { routing: "everything", why: `redistributed would not save ${choice.switchMargin * 100} % of the CPU` };
  }
  if (evOk !== reOk) {
    const routing = evOk ? "everything" : "redistributed";
    const other = evOk ? "redistributed" : "everything";
    const why = p[other].saturated
      ? `only ${routing} keeps up (${other} saturates a process)`
      : `only ${routing} keeps p99 within ${budget} ms`;
    return { routing, why };
  }
  if (p.everything.saturated && p.redistributed.saturated) {
    const routing = p.redistributed.cpuUsPerSec < p.everything.cpuUsPerSec ? "redistributed" : "everything";
    return { routing, why: `both saturate a process; ${routing} needs less CPU per gateway` };
  }
  const routing = p.everything.latencyP99Ms <= p.redistributed.latencyP99Ms ? "everything" : "redistributed";
  return { routing, why: `neither keeps p99 within ${budget} ms; ${routing} is faster` };
}
