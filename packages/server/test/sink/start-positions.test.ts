import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startOffset } from "#server/sink/start-positions.js";

describe("startOffset (where the sink resumes a partition)", () => {
  it("resumes at PostgreSQL's position, whatever the consumer group committed", () => {
    assert.deepEqual(startOffset({ stored: 40n, earliest: 0n, end: 90n }), { start: 40n });
    assert.deepEqual(startOffset({ stored: 90n, earliest: 10n, end: 90n }), { start: 90n });
  });

  it("refills from the start of the log when PostgreSQL has no position", () => {
    assert.deepEqual(startOffset({ stored: undefined, earliest: 0n, end: 90n }), { start: 0n });
  });

  it("names what Kafka no longer holds and starts from its earliest offset", () => {
    assert.deepEqual(startOffset({ stored: 40n, earliest: 45n, end: 90n }), {
      start: 45n,
      lost: { from: 40n, to: 45n },
    });
    assert.deepEqual(startOffset({ stored: undefined, earliest: 10n, end: 90n }), {
      start: 10n,
      lost: { from: 0n, to: 10n },
    });
  });

  it("starts a recreated topic (position past its end) from its earliest offset", () => {
    assert.deepEqual(startOffset({ stored: 500n, earliest: 0n, end: 20n }), { start: 0n, recreated: true });
  });
});
