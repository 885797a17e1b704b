import assert from "node:assert/strict";
import { test } from "node:test";
import { assertMeasured, runToy, type Latency } from "./toy-run.js";

test("durable-publish: acks through the server", async () => {
  type Round = { ack: Latency; serverCpuUsPerAck: number; mainThreadCpuUsPerAck: number; machineCores: number };
  const rounds = assertMeasured<Round>(await runToy("durable-publish"), ["parley"]);
  assert.ok(
    rounds["parley"]!.every((r) => r.ack.count > 0),
    "open loop: nothing acked",
  );
  for (const r of rounds["parley"]!) {
    // The main thread is one of the server's threads; the machine was busy at least with the server.
    assert.ok(r.mainThreadCpuUsPerAck >= 0 && r.mainThreadCpuUsPerAck <= r.serverCpuUsPerAck, JSON.stringify(r));
    assert.ok(r.machineCores > 0, JSON.stringify(r));
  }
});
