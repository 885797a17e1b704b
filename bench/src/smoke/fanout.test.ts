import assert from "node:assert/strict";
import { test } from "node:test";
import { assertMeasured, runToy, SYSTEMS, type Latency } from "./toy-run.js";

test("fanout: every system publishes and delivers at toy scale", async () => {
  type Step = { published: number; latency: Latency };
  const rounds = assertMeasured<{ steps: Step[] }>(await runToy("fanout"), SYSTEMS);
  for (const system of SYSTEMS) {
    const steps = rounds[system]!.flatMap((r) => r.steps);
    assert.ok(steps.length > 0 && steps.every((s) => s.published > 0), `${system}: a step published nothing`);
    assert.ok(
      steps.some((s) => s.latency.count > 0),
      `${system}: nothing delivered`,
    );
  }
});
