/** The exposition-format reader the admin dashboard uses on this node's registry and the others' /metrics. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { Metrics } from "#server/metrics/metrics.js";
import { counterTotals, lagRows, nodeTotals } from "#server/metrics/node-totals.js";
import { hasMetric, parsePromText, sumOf } from "#server/metrics/prom-text.js";

test("samples with labels (escaped quotes included), comments and odd lines skipped", () => {
  const samples = parsePromText(
    [
      "# HELP x_total A counter.",
      "# TYPE x_total counter",
      'x_total{outcome="ok",room="a \\"b\\""} 3',
      'x_total{outcome="rate_limited"} 2 1700000000000',
      "y 1.5e3",
      "garbage line here",
      "",
    ].join("\n"),
  );
  assert.deepEqual(samples, [
    { name: "x_total", labels: { outcome: "ok", room: 'a "b"' }, value: 3 },
    { name: "x_total", labels: { outcome: "rate_limited" }, value: 2 },
    { name: "y", labels: {}, value: 1500 },
  ]);
  assert.equal(sumOf(samples, "x_total"), 5);
  assert.equal(sumOf(samples, "x_total", { outcome: "ok" }), 3);
  assert.equal(hasMetric(samples, "z"), false);
});

test("a real registry reads back: counters, lag rows per partition, no gateway totals without its gauges", async () => {
  const metrics = new Metrics(false);
  metrics.publishes.inc({ outcome: "ok" }, 7);
  metrics.publishes.inc({ outcome: "rate_limited" }, 2);
  metrics.deliveries.inc(21);
  metrics.bufferDrops.inc();
  metrics.addLagSource({
    consumer: "sink",
    topic: "p.events",
    read: () =>
      new Map([
        [1, 4n],
        [0, 0n],
      ]),
  });
  const samples = parsePromText(await metrics.registry.metrics());
  assert.deepEqual(counterTotals(samples), { messagesIn: 7, messagesOut: 21, slowConsumerCuts: 1, rateLimited: 2 });
  assert.deepEqual(lagRows(samples), [
    { consumer: "sink", topic: "p.events", partition: 0, lag: 0 },
    { consumer: "sink", topic: "p.events", partition: 1, lag: 4 },
  ]);
  assert.equal(nodeTotals(samples), undefined, "a sequencer or sink node has no gateway gauges");
});
