import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff, backoffDelay } from "./backoff.js";

const options = { minMs: 100, maxMs: 5000 };

/** A deterministic uniform generator (LCG), so the distribution test never flakes. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test("delay stays within [0, min(maxMs, minMs*2^attempt)]", () => {
  for (let attempt = 0; attempt < 40; attempt++) {
    const cap = Math.min(options.maxMs, options.minMs * 2 ** attempt);
    assert.equal(
      backoffDelay(attempt, options, () => 0),
      0,
    );
    const top = backoffDelay(attempt, options, () => 0.999999);
    assert.ok(top <= cap && top >= cap - 1, `attempt ${attempt}: ${top} vs cap ${cap}`);
  }
});

test("window doubles, then stops at maxMs", () => {
  const half = (attempt: number) => backoffDelay(attempt, options, () => 0.5);
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 100].map(half), [50, 100, 200, 400, 800, 1600, 2500, 2500]);
});

test("huge or negative attempts stay finite", () => {
  assert.equal(
    backoffDelay(1e9, options, () => 0.5),
    2500,
  );
  assert.equal(
    backoffDelay(-3, options, () => 0.5),
    50,
  );
});

test("full jitter is spread uniformly over the window", () => {
  const random = seeded(42);
  const samples = Array.from({ length: 10_000 }, () => backoffDelay(10, options, random));
  const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
  assert.ok(Math.abs(mean - 2500) < 75, `mean ${mean}`);
  const buckets = [0, 0, 0, 0, 0];
  for (const s of samples) buckets[Math.min(4, Math.floor(s / 1000))]!++;
  for (const count of buckets) assert.ok(Math.abs(count - 2000) < 200, `buckets ${buckets.join(",")}`);
});

test("Backoff counts attempts and resets", () => {
  const backoff = new Backoff(options, () => 0.5);
  assert.deepEqual([backoff.next(), backoff.next(), backoff.next()], [50, 100, 200]);
  assert.equal(backoff.attempt, 3);
  backoff.reset();
  assert.equal(backoff.next(), 50);
});
