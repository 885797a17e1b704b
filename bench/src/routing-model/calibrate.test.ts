import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { PRIOR_CALIBRATION, type Calibration } from "@parley/server/routing/calibration.js";
import { calibrate } from "./calibrate-fit.js";
import { CHART_FILE, DOC_FILE, PRODUCT_FILE, runCalibration } from "./calibrate.js";
import { checkHeldBack } from "./held-back.js";
import type { ModelResults } from "./routing-points.js";
import { syntheticResults } from "./synthetic-points.js";

const FIXTURE = fileURLToPath(new URL("../../src/routing-model/fixtures/routing.json", import.meta.url));
const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** A calibration unlike the priors: what a box's processes "really" cost. */
const TRUTH: Calibration = {
  ...PRIOR_CALIBRATION,
  gatewayReadUs: 14,
  gatewayForwardReadUs: 16,
  gatewayDirectReadUs: 6,
  gatewayDeliverUs: 22,
  gatewayPublishUs: 70,
  gatewayIdleUsPerSec: 35_000,
  brokerOutUsPerByte: 0.004,
  brokerInUsPerRecord: 30,
  brokerIdleUsPerSec: 120_000,
  brokerOutBytesPerProcessPerSec: 40_000,
  recordOverheadBytes: 350,
  latency: {
    append: { p50: 30, p99: 150 },
    fetch: { p50: 8, p99: 60 },
    forwardProduce: { p50: 10, p99: 50 },
    directSend: { p50: 2, p99: 15 },
    deliver: { p50: 1, p99: 8 },
  },
};

describe("calibration fit", () => {
  it("gets a known calibration back from clean points and predicts the held-back ones", () => {
    const { points } = syntheticResults(TRUTH);
    const { calibration } = calibrate(points, PRIOR_CALIBRATION, "test");
    assert.equal(calibration.recordOverheadBytes, 350);
    for (const k of [
      "gatewayReadUs",
      "gatewayForwardReadUs",
      "gatewayDeliverUs",
      "gatewayPublishUs",
      "gatewayIdleUsPerSec",
      "brokerInUsPerRecord",
      "brokerIdleUsPerSec",
      "brokerOutBytesPerProcessPerSec",
    ] as const)
      assert.ok(Math.abs(calibration[k] / TRUTH[k] - 1) < 0.1, `${k}: ${calibration[k]} against ${TRUTH[k]}`);
    const held = checkHeldBack(points, calibration);
    assert.equal(held.checks.length, 12, "every 4-gateway point is held back");
    for (const [q, e] of Object.entries(held.medianError)) assert.ok(e < 0.05, `${q}: median error ${e}`);
  });

  it("fits only the points not held back", () => {
    const { points } = syntheticResults(TRUTH);
    const spoiled = points.map((p) =>
      p.heldBack
        ? {
            ...p,
            measured: { ...p.measured, perGateway: p.measured.perGateway.map((g) => ({ ...g, cpuUsPerSec: 1e9 })) },
          }
        : p,
    );
    assert.deepEqual(
      calibrate(spoiled, PRIOR_CALIBRATION, "x").calibration,
      calibrate(points, PRIOR_CALIBRATION, "x").calibration,
    );
  });
});

describe("calibrate (the command) on the fixture", () => {
  const root = mkdtempSync(join(tmpdir(), "routing-model-"));
  after(() => rmSync(root, { recursive: true, force: true }));
  mkdirSync(join(root, "packages/server/src/kafka/routing"), { recursive: true });
  mkdirSync(join(root, "docs"));
  copyFileSync(join(REPO, DOC_FILE), join(root, DOC_FILE));
  const input = join(root, "routing.json");
  copyFileSync(FIXTURE, input);

  it("writes the product calibration, the predictions, the chart and the doc section, the same each time", async () => {
    const { held } = await runCalibration({ input, root });
    for (const e of Object.values(held.medianError)) assert.ok(e < 0.1);
    const product = readFileSync(join(root, PRODUCT_FILE), "utf8");
    assert.match(product, /export const CALIBRATION: Calibration = \{/);
    assert.match(
      product,
      /source: "fitted to bench\/results\/routing.json of 2026-12-07T07:00 UTC \(30 points, 12 held back\)"/,
    );
    const results = JSON.parse(readFileSync(input, "utf8")) as ModelResults;
    for (const p of results.points) assert.ok(p.predicted && p.predicted.perGatewayCpuUsPerSec > 0, p.id);
    assert.match(readFileSync(join(root, CHART_FILE), "utf8"), /^<svg [^]*<\/svg>\n$/);
    const doc = readFileSync(join(root, DOC_FILE), "utf8");
    assert.equal(doc.match(/routing-model:begin/g)?.length, 1);
    assert.match(doc, /\| median absolute error \|/);
    assert.match(doc, /!\[crossover chart\]\(routing-crossover.svg\)/);
    assert.match(readFileSync(join(root, "routing-model.md"), "utf8"), /^# The routing cost model/);
    writeFileSync(input, readFileSync(FIXTURE));
    await runCalibration({ input, root });
    assert.equal(readFileSync(join(root, PRODUCT_FILE), "utf8"), product);
    assert.equal(readFileSync(join(root, DOC_FILE), "utf8"), doc);
  });
});
