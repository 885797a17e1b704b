/** How well a calibration predicts the points it was not fitted to: prediction beside measurement, per quantity. */
import type { Calibration } from "@parley/server/routing/calibration.js";
import { predictPoint } from "./point-model.js";
import type { ModelPoint } from "./routing-points.js";

export interface Comparison {
  quantity: string;
  predicted: number;
  measured: number;
  /** (predicted − measured) / measured; NaN when nothing was measured. */
  error: number;
}

export interface HeldBackCheck {
  id: string;
  comparisons: Comparison[];
}

const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

function compare(quantity: string, predicted: number, measured: number): Comparison {
  return { quantity, predicted, measured, error: measured === 0 ? NaN : (predicted - measured) / measured };
}

/** Every quantity the schema's `predicted` holds, for one point. */
export function checkPoint(p: ModelPoint, cal: Calibration): HeldBackCheck {
  const pred = predictPoint(p, cal);
  const m = p.measured;
  const received = mean(m.perGateway.map((g) => g.recordsReceivedPerSec ?? g.recordsReadPerSec));
  return {
    id: p.id,
    comparisons: [
      compare("records in/s per gateway", pred.perGatewayRecordsReceivedPerSec, received),
      compare("gateway CPU µs/s", pred.perGatewayCpuUsPerSec, mean(m.perGateway.map((g) => g.cpuUsPerSec))),
      compare("p50 ms", pred.latencyMs.p50, m.latencyMs.p50),
      compare("p99 ms", pred.latencyMs.p99, m.latencyMs.p99),
      compare("broker out B/s", pred.brokerOutBytesPerSec, m.brokerOutBytesPerSec),
    ],
  };
}

/** The held-back points' checks, and per quantity the median absolute error over them. */
export function checkHeldBack(points: readonly ModelPoint[], cal: Calibration) {
  const checks = points.filter((p) => p.heldBack).map((p) => checkPoint(p, cal));
  const quantities = checks[0]?.comparisons.map((c) => c.quantity) ?? [];
  const medianError = Object.fromEntries(
    quantities.map((q) => {
      const errors = checks
        .map((c) => Math.abs(c.comparisons.find((x) => x.quantity === q)?.error ?? NaN))
        .filter(Number.isFinite);
      return [q, median(errors)];
    }),
  );
  return { checks, medianError };
}

function median(xs: number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}
