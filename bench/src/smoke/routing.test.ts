import assert from "node:assert/strict";
import { test } from "node:test";
import type { ModelPoint, ModelResults } from "../routing-model/routing-points.js";
import { runToy } from "./toy-run.js";

/**
 * The routing scenario at toy scale on the test broker and PostgreSQL (npm test's PARLEY_TEST_KAFKA /
 * PARLEY_TEST_PG_URL, as the kafka smoke test): 1 and 2 gateways, both routings, each forwarding once, rooms
 * of 2 local and spread. Asserts the cost model's schema (routing-points.ts) and what routing must make true
 * whatever the box's load: who reads what, and that every publish was delivered to its room. No rate or
 * latency bound: at toy scale on a shared machine those are noise.
 */
test("routing: the schema's fields, measured, and each routing reads what it should", async () => {
  const doc = (await runToy("routing")) as unknown as ModelResults;
  assert.equal(doc.machine.cores > 0 && Number.isFinite(doc.machine.load1Start), true, JSON.stringify(doc.machine));
  assert.ok(!Number.isNaN(Date.parse(doc.date)));
  const ids = doc.points.map((p) => p.id);
  assert.deepEqual(ids, [
    "g1-everything-size2-local",
    "g1-everything-size2-spread",
    "g1-redistributed-kafka-size2-local",
    "g1-redistributed-kafka-size2-spread",
    "g2-everything-size2-local",
    "g2-everything-size2-spread",
    "g2-redistributed-direct-size2-local",
    "g2-redistributed-direct-size2-spread",
  ]);
  assert.deepEqual(
    doc.points.filter((p) => p.heldBack).map((p) => p.id),
    ["g2-everything-size2-spread", "g2-redistributed-direct-size2-spread"],
  );
  for (const p of doc.points) assertPoint(p);
  const local = point(doc, "g2-redistributed-direct-size2-local");
  for (const g of local.measured.perGateway)
    assert.ok(
      g.recordsReceivedPerSec! < 0.8 * local.measured.eventsPerSec,
      `${local.id}: a gateway got its rooms only`,
    );
  const spread = point(doc, "g2-redistributed-direct-size2-spread");
  assert.ok(spread.measured.redistributors[0]!.forwardsPerSec > 1.5 * spread.measured.eventsPerSec, "both get each");
});

function point(doc: ModelResults, id: string): ModelPoint {
  const p = doc.points.find((x) => x.id === id);
  assert.ok(p, id);
  return p;
}

const isRate = (x: unknown) => typeof x === "number" && Number.isFinite(x) && x >= 0;

/** Every field of the schema is a rate, and the counts agree with the point's routing. */
function assertPoint(p: ModelPoint): void {
  const m = p.measured;
  const what = `${p.id}: ${JSON.stringify(m)}`;
  assert.equal(p.partitions, 12);
  assert.equal(p.workload.rooms * p.workload.roomSize, p.workload.connections);
  assert.ok(m.eventsPerSec > 0 && isRate(m.brokerOutBytesPerSec) && isRate(m.brokerCpuUsPerSec), what);
  assert.ok(m.brokerOutBytesPerSec > m.eventsPerSec * p.workload.payloadBytes, `${what}: broker sent the events`);
  // Every publish of the window reached all its room's members (the publisher too).
  assert.ok(m.deliveredPerSec >= 0.9 * p.workload.publishesPerSec * p.workload.roomSize, what);
  assert.ok(m.latencyMs.p50 > 0 && m.latencyMs.p99 >= m.latencyMs.p50, what);
  assert.equal(m.perGateway.length, p.gateways, what);
  for (const g of m.perGateway) {
    const fields = [g.recordsReadPerSec, g.bytesReadPerSec, g.forwardedBytesPerSec, g.deliveredPerSec, g.cpuUsPerSec];
    assert.ok(fields.every(isRate) && g.cpuUsPerSec > 0 && g.deliveredPerSec > 0, what);
    const received = g.recordsReceivedPerSec ?? NaN;
    assert.ok(received > 0, what);
    if (p.forwarding === "direct") {
      assert.ok(g.recordsReadPerSec === 0 && g.bytesReadPerSec === 0 && g.forwardedBytesPerSec > 0, what);
    } else {
      assert.ok(
        g.forwardedBytesPerSec === 0 && g.bytesReadPerSec > g.recordsReadPerSec * p.workload.payloadBytes,
        what,
      );
    }
    // `everything` reads every event; a redistributed gateway no more than it needs (here, with one gateway, all).
    if (p.routing === "everything") assert.ok(Math.abs(received - m.eventsPerSec) <= 0.2 * m.eventsPerSec, what);
  }
  assert.equal(m.redistributors.length, p.redistributors, what);
  for (const r of m.redistributors) {
    assert.ok(r.cpuUsPerSec > 0 && Math.abs(r.recordsReadPerSec - m.eventsPerSec) < 1e-9, what);
    assert.ok(r.forwardsPerSec >= 0.8 * m.eventsPerSec, what);
  }
}
