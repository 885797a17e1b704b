import assert from "node:assert/strict";
import { test } from "node:test";
import { assertMeasured, assertStepsDelivered, runToyWithSummary, type Latency } from "./toy-run.js";

/** Centrifugo is left out: it is a Go build of a few minutes the first time, not something `npm test` should do. */
const SYSTEMS = ["parley", "ws"] as const;

test("small-rooms: rooms of 10 publish and deliver at toy scale, and the summary compares them", async () => {
  const { doc, summary } = await runToyWithSummary("small-rooms", [`--systems=${SYSTEMS.join(",")}`]);
  assert.equal(doc["scenario"], "small-rooms");
  assert.equal((doc["sizes"] as { roomSize: number }).roomSize, 10);
  type Step = { published: number; latency: Latency };
  assertStepsDelivered(assertMeasured<{ steps: Step[] }>(doc, SYSTEMS), SYSTEMS);
  assert.match(summary, /## Small rooms \(toy run of \d{4}-\d\d-\d\dT\d\d:\d\d UTC\) \(20 connections, rooms of 10;/);
  // The bare ws row carries Parley's ratio over it and the target beside it.
  assert.match(summary, /\| bare ws loop \| .* \| (\d+\.\d\d×|–) \| ≥ 0\.8× \|/);
});
