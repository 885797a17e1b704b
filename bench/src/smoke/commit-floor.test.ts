import assert from "node:assert/strict";
import { test } from "node:test";
import type { FloorPoint } from "../scenarios/commit-floor.js";
import { runToyWithSummary } from "./toy-run.js";

test("commit-floor: every shape and schema measured; the events alone write fewer WAL pages than the whole commit", async () => {
  const { doc, summary } = await runToyWithSummary("commit-floor");
  const points = doc["points"] as FloorPoint[];
  assert.equal(points.length, 10, JSON.stringify(points));
  for (const p of points) assert.ok(p.cpuUsPerEvent > 0 && p.walFramesPerEvent > 0, JSON.stringify(p));
  for (const full of points.filter((p) => p.schema === "full")) {
    const alone = points.find((p) => p.shape === full.shape && p.batch === full.batch && p.schema === "events only");
    // The projection's rows and the heads are pages the events alone do not touch.
    assert.ok(alone && alone.walFramesPerEvent < full.walFramesPerEvent, JSON.stringify([full, alone]));
  }
  assert.match(summary, /## The embedded writer's commit alone/);
});
