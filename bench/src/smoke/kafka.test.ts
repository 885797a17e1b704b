import assert from "node:assert/strict";
import { test } from "node:test";
import type { KafkaResult } from "../scenarios/kafka.js";
import { assertMeasured, runToy, type Latency } from "./toy-run.js";

/**
 * The kafka scenario on the test broker and PostgreSQL (npm test's PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL):
 * embedded Parley beside the split cluster, a sequencer, a sink and two gateways as processes (the
 * riskier shape; `--role all` starts through the same code with one role). Idle is left out: the
 * bench's other smoke tests and the cluster tests cover its parts, and it would double the run.
 */
test("kafka: durable, fan-out and DMs on embedded Parley and the split cluster", async () => {
  const systems = ["parley", "parley-kafka-split"];
  const doc = (await runToy("kafka", [
    "--systems=parley,parley-kafka-split",
    "--kafka-parts=fanout,durable,dms",
  ])) as unknown as KafkaResult;
  assert.deepEqual(doc.systems, systems);
  assert.equal(doc.idle, undefined);
  const durable = assertMeasured<{ ack: Latency; serverCpuUsPerAck: number; cpuUsPerAckByRole?: object }>(
    doc.durable as unknown as Record<string, unknown>,
    systems,
  );
  for (const system of systems)
    assert.ok(
      durable[system]!.every((r) => r.ack.count > 0),
      `${system}: nothing acked`,
    );
  const split = durable["parley-kafka-split"]![0]!;
  assert.deepEqual(Object.keys(split.cpuUsPerAckByRole ?? {}).sort(), ["gateway", "sequencer", "sink"]);
  const dms = assertMeasured<{ latency: Latency }>(doc.dms as unknown as Record<string, unknown>, systems);
  const fanout = assertMeasured<{ steps: { latency: Latency }[] }>(
    doc.fanout as unknown as Record<string, unknown>,
    systems,
  );
  for (const system of systems) {
    assert.ok(
      dms[system]!.every((r) => r.latency.count > 0),
      `${system}: no DM delivered`,
    );
    assert.ok(
      fanout[system]!.some((r) => r.steps.some((s) => s.latency.count > 0)),
      `${system}: nothing fanned out`,
    );
  }
});
