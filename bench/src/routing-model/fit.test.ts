import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fitNonNegative } from "./fit.js";

const close = (a: number, b: number, tol: number) => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);

describe("fitNonNegative", () => {
  it("recovers exact coefficients from clean data, whatever the prior", () => {
    const truth = [3, 0.5, 20];
    const rows = Array.from({ length: 40 }, (_, i) => [i * 10, (i % 7) * 100, 1]);
    const targets = rows.map((r) => r.reduce((s, v, j) => s + v * (truth[j] ?? 0), 0));
    const fit = fitNonNegative({ rows, targets, prior: [1, 1, 1], weight: 1e-9 });
    truth.forEach((t, j) => close(fit.x[j] ?? NaN, t, 1e-4));
    close(fit.rms, 0, 1e-3);
  });

  it("never goes negative", () => {
    const rows = [
      [1, 1],
      [2, 1],
      [3, 1],
    ];
    const fit = fitNonNegative({ rows, targets: [3, 2, 1], prior: [1, 1], weight: 1e-9 });
    assert.equal(fit.x[0], 0);
    close(fit.x[1] ?? NaN, 2, 1e-6);
  });

  it("keeps the prior of a column the data never exercise, and splits collinear columns as the priors do", () => {
    const rows = [
      [1, 1, 0],
      [2, 2, 0],
      [3, 3, 0],
    ];
    const fit = fitNonNegative({ rows, targets: [10, 20, 30], prior: [2, 6, 7] });
    assert.equal(fit.x[2], 7);
    assert.deepEqual(fit.used, [true, true, false]);
    close((fit.x[0] ?? 0) + (fit.x[1] ?? 0), 10, 0.5);
    assert.ok((fit.x[1] ?? 0) > (fit.x[0] ?? 0), "the split leans the priors' way");
  });
});
