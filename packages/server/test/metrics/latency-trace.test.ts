/** The per-hop latency trace (PARLEY_LATENCY_TRACE) that docs/performance.md's Kafka-mode latency figures come from. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { LatencyTrace, latencyTrace } from "#server/metrics/latency-trace.js";

test("a window's line gives per hop the count, p50, p99 and max, hops by name, and starts a new window", () => {
  const trace = new LatencyTrace("t1");
  for (let ms = 1; ms <= 100; ms++) trace.add("b.hop", ms);
  trace.add("a.hop", 7);
  const line = trace.line();
  assert.match(line, /^trace t1 \d\d:\d\d:\d\d\.\d{3} loop [\d.]+\/[\d.]+\/[\d.]+ \| /);
  assert.ok(line.endsWith("| a.hop n=1 7/7/7 | b.hop n=100 51/100/100"), line);
  assert.ok(trace.line().endsWith("| "), "the next window starts empty");
});

test("off unless PARLEY_LATENCY_TRACE is set", () => {
  assert.equal(latencyTrace === undefined, !process.env.PARLEY_LATENCY_TRACE);
});
