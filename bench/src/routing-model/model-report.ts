/** The cost model's Markdown: calibration, held-back check, predictions at scale and the crossover. */
import type { Calibration } from "@parley/server/routing/calibration.js";
import { clusterCpuPerGateway, type RoutingPrediction } from "@parley/server/routing/cost-model.js";
import { table } from "../report/table.js";
import type { CalibrationFit } from "./calibrate-fit.js";
import type { HeldBackCheck } from "./held-back.js";
import { SCALE, scaleRow, zipfRooms, type CrossoverSeries } from "./at-scale.js";

const n = (v: number, digits = 0) =>
  Number.isFinite(v) ? v.toLocaleString("en-US", { maximumFractionDigits: digits }).replace(/,/g, " ") : "–";
const pct = (v: number) => (Number.isFinite(v) ? `${v >= 0 ? "+" : ""}${(v * 100).toFixed(0)} %` : "–");

const CPU_KEYS = [
  ["gatewayReadUs", "gateway, per events-topic record read (µs)"],
  ["gatewayForwardReadUs", "gateway, per forward-topic record read (µs)"],
  ["gatewayDirectReadUs", "gateway, per record over the direct stream (µs)"],
  ["gatewayDeliverUs", "gateway, per client delivery (µs)"],
  ["gatewayPublishUs", "gateway, per client publish (µs)"],
  ["gatewayIdleUsPerSec", "gateway, idle (µs/s)"],
  ["redistributorIdleUsPerSec", "redistributor, idle (µs/s)"],
  ["redistributorReadUs", "redistributor, per record read (µs)"],
  ["redistributorForwardKafkaUs", "redistributor, per forward over Kafka (µs)"],
  ["redistributorForwardDirectUs", "redistributor, per direct send (µs)"],
  ["brokerOutUsPerByte", "broker, per byte out (µs)"],
  ["brokerInUsPerRecord", "broker, per record in (µs)"],
  ["brokerIdleUsPerSec", "broker, idle (µs/s)"],
  ["brokerOutBytesPerProcessPerSec", "broker, bytes out per connected process with no events (B/s)"],
  ["recordOverheadBytes", "record overhead beyond the payload (bytes)"],
] as const;

/** Priors beside the fitted values. */
export function calibrationTable(prior: Calibration, fitted: Calibration): string {
  const rows: (string | number)[][] = CPU_KEYS.map(([k, what]) => [what, n(prior[k], 3), n(fitted[k], 3)]);
  for (const s of Object.keys(fitted.latency) as (keyof Calibration["latency"])[])
    rows.push([
      `latency, ${s} p50 / p99 (ms)`,
      `${n(prior.latency[s].p50, 1)} / ${n(prior.latency[s].p99, 1)}`,
      `${n(fitted.latency[s].p50, 1)} / ${n(fitted.latency[s].p99, 1)}`,
    ]);
  return table(["parameter", "prior", "fitted"], rows);
}

export function fitTable(fit: CalibrationFit): string {
  return table(
    ["group", "observations", "rms residual"],
    fit.groups.map((g) => [g.group, g.observations, n(g.rms, 1)]),
  );
}

/** One row per held-back point: each quantity predicted / measured (error), then the median absolute errors. */
export function heldBackTable(checks: readonly HeldBackCheck[], medianError: Record<string, number>): string {
  const quantities = Object.keys(medianError);
  const rows = checks.map((c) => [
    c.id,
    ...c.comparisons.map((x) => `${n(x.predicted, 1)} / ${n(x.measured, 1)} (${pct(x.error)})`),
  ]);
  rows.push(["median absolute error", ...quantities.map((q) => pct(medianError[q] ?? NaN).replace("+", ""))]);
  return table(["held-back point", ...quantities.map((q) => `${q}: predicted / measured`)], rows);
}

function atScaleCells(p: RoutingPrediction): string[] {
  const g = p.perGateway[0];
  if (!g) return ["–", "–", "–"];
  const received = g.recordsReadPerSec + g.forwardedRecordsPerSec;
  return [
    n(received),
    `${n(g.cpuUsPerSec / 1e6, 2)}${p.saturated ? " (saturated)" : ""}`,
    `${n(p.latencyMs.p50, 0)} / ${n(p.latencyMs.p99, 0)}`,
  ];
}

/** Per gateway at 100, 300 and 1 000 gateways, all rooms local or all spread, for each exponent. */
export function atScaleTable(cal: Calibration): string {
  const rows: (string | number)[][] = [];
  for (const exponent of SCALE.exponents)
    for (const gateways of [100, 300, 1000])
      for (const spread of [0, 1]) {
        const r = scaleRow(exponent, gateways, spread, cal);
        rows.push([
          exponent,
          gateways,
          `${spread * 100} %`,
          `${(r.neededFraction * 100).toFixed(1)} %`,
          ...atScaleCells(r.everything),
          ...atScaleCells(r.kafka),
          ...atScaleCells(r.direct),
          `${n(clusterCpuPerGateway(r.everything) / 1e6, 2)} / ${n(clusterCpuPerGateway(r.kafka) / 1e6, 2)} / ${n(clusterCpuPerGateway(r.direct) / 1e6, 2)}`,
          `${n(r.everything.brokerOutBytesPerSec / 2 ** 20)} / ${n(r.kafka.brokerOutBytesPerSec / 2 ** 20)} / ${n(r.direct.brokerOutBytesPerSec / 2 ** 20)}`,
        ]);
      }
  const head = ["Zipf s", "gateways", "spread", "f"];
  for (const k of ["everything", "Kafka fwd", "direct"])
    head.push(`${k}: records in/s`, `${k}: CPU cores`, `${k}: p50 / p99 ms`);
  head.push("cluster cores per gateway (ev / Kafka / direct)", "broker out MiB/s (ev / Kafka / direct)");
  return table(head, rows);
}

/** The spread below which redistributed wins, per gateway count, per exponent and forwarding. */
export function crossoverTable(series: readonly CrossoverSeries[]): string {
  const gateways = series[0]?.points.map((p) => p.gateways) ?? [];
  const rows = series.map((s) => [
    `Zipf ${s.exponent}, ${s.forwarding} (${n(s.rooms)} rooms; f* ≈ ${(s.points.at(-1)?.fStar ?? 0).toFixed(2)})`,
    ...s.points.map((p) => `${(p.spread * 100).toFixed(0)} %`),
  ]);
  return table(["curve", ...gateways.map((g) => `G=${g}`)], rows);
}

/** The workload the scale predictions assume, in words. */
export function scaleWorkload(series: readonly CrossoverSeries[]): string {
  const rooms = [...new Map(series.map((s) => [s.exponent, s.rooms])).entries()]
    .map(([e, r]) => `${n(r)} rooms at s = ${e}`)
    .join(", ");
  const events = SCALE.exponents.map((e) => `${n(zipfRooms(e).eventsPerSec)} events/s at s = ${e}`).join(", ");
  return (
    `${n(SCALE.connections)} connections split evenly over the gateways, each in ${SCALE.roomsPerConnection} rooms on average; ` +
    `room sizes Zipf, P(n) ∝ n^−s for ${SCALE.minRoom} ≤ n ≤ ${n(SCALE.maxRoom)} (${rooms}); every member posts once an hour in each of its rooms, ` +
    `no room more than once in ${1 / SCALE.maxRoomPostsPerSec} s (${events}), ${SCALE.payloadBytes}-byte payloads; one redistributor per 10 gateways. ` +
    `Spread: the share of rooms whose members sit on gateways at random; the others sit on one gateway.`
  );
}
