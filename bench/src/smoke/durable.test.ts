import assert from "node:assert/strict";
import { test } from "node:test";
import { assertMeasured, runToy, type Latency } from "./toy-run.js";

test("durable-publish: acks through the server", async () => {
  const rounds = assertMeasured<{ ack: Latency }>(await runToy("durable-publish"), ["parley"]);
  assert.ok(
    rounds["parley"]!.every((r) => r.ack.count > 0),
    "open loop: nothing acked",
  );
});
