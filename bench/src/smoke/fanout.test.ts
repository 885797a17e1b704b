import { test } from "node:test";
import { assertMeasured, assertStepsDelivered, runToy, SYSTEMS, type Latency } from "./toy-run.js";

test("fanout: every system publishes and delivers at toy scale", async () => {
  type Step = { published: number; latency: Latency };
  const rounds = assertMeasured<{ steps: Step[] }>(await runToy("fanout"), SYSTEMS);
  assertStepsDelivered(rounds, SYSTEMS);
});
