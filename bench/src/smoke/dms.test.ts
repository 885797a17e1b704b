import assert from "node:assert/strict";
import { test } from "node:test";
import { assertMeasured, runToy, SYSTEMS, type Latency, type Summary } from "./toy-run.js";

test("dms: every system delivers and measures latency", async () => {
  const doc = await runToy("dms");
  const rounds = assertMeasured<{ published: number; latency: Latency; diskBytesPerMsg: number }>(doc, SYSTEMS);
  // Parley commits every DM (durability full): its database's WAL is written.
  assert.ok(
    rounds["parley"]!.every((r) => r.diskBytesPerMsg > 0),
    "parley wrote nothing to storage",
  );
  for (const system of SYSTEMS) {
    assert.ok(
      rounds[system]!.every((r) => r.published > 0 && r.latency.count > 0),
      `${system}: nothing published or delivered`,
    );
    assert.ok(Number.isFinite((doc["summary"] as Summary)[system]!["p99Ms"]), system);
  }
});
