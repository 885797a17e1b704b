/**
 * Non-negative least squares with a weak pull toward prior values: the fit behind the routing cost model's
 * calibration. minimise Σ(a·x − y)² + Σ_j λ_j (x_j − prior_j)², x ≥ 0, where λ_j = weight × (mean a_j²), so the
 * prior counts as `weight` average observations of its column. A column the data never exercise keeps its prior;
 * collinear columns (the bench's routings share most of their latency segments) split as the priors do.
 * Cyclic coordinate descent: exact per coordinate for a convex quadratic, so it converges.
 */

export interface FitProblem {
  /** One row of features per observation. */
  rows: readonly (readonly number[])[];
  targets: readonly number[];
  prior: readonly number[];
  /** Observations' worth of pull toward the prior (default 0.5). */
  weight?: number;
}

export interface FitResult {
  x: number[];
  /** Root mean square residual over the observations. */
  rms: number;
  /** Observations per parameter that actually entered (a column of zeros did not). */
  used: boolean[];
}

export function fitNonNegative(p: FitProblem): FitResult {
  const n = p.prior.length;
  const weight = p.weight ?? 0.5;
  const columns = Array.from({ length: n }, (_, j) => p.rows.map((r) => r[j] ?? 0));
  const norms = columns.map((c) => c.reduce((s, v) => s + v * v, 0));
  const lambda = norms.map((s) => (s > 0 ? (weight * s) / Math.max(1, p.rows.length) : 1));
  const x = [...p.prior];
  const residual = p.rows.map((r, i) => dot(r, x) - (p.targets[i] ?? 0));
  for (let sweep = 0; sweep < 500; sweep++) {
    let moved = 0;
    for (let j = 0; j < n; j++) {
      const col = columns[j] ?? [];
      const l = lambda[j] ?? 1;
      const gradient = col.reduce((s, v, i) => s + v * (residual[i] ?? 0), 0) + l * ((x[j] ?? 0) - (p.prior[j] ?? 0));
      const next = Math.max(0, (x[j] ?? 0) - gradient / ((norms[j] ?? 0) + l));
      const step = next - (x[j] ?? 0);
      if (step === 0) continue;
      x[j] = next;
      col.forEach((v, i) => (residual[i] = (residual[i] ?? 0) + v * step));
      moved = Math.max(moved, Math.abs(step) / Math.max(1e-12, Math.abs(next)));
    }
    if (moved < 1e-10) break;
  }
  const rms = Math.sqrt(residual.reduce((s, r) => s + r * r, 0) / Math.max(1, residual.length));
  return { x, rms, used: norms.map((s) => s > 0) };
}

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((s, v, i) => s + v * (b[i] ?? 0), 0);
}
