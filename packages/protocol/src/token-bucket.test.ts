import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { TokenBucket } from "./token-bucket.js";

const drain = (b: TokenBucket, now: number) => {
  let n = 0;
  while (b.take(now)) n++;
  return n;
};

describe("TokenBucket", () => {
  it("starts full: allows exactly `burst` takes at once", () => {
    const b = new TokenBucket(10, 20, 0);
    assert.equal(drain(b, 0), 20);
    assert.equal(b.take(0), false);
  });

  it("refills at ratePerSec, never beyond burst", () => {
    const b = new TokenBucket(10, 20, 0);
    drain(b, 0);
    assert.equal(drain(b, 500), 5);
    assert.equal(drain(b, 60_000), 20);
  });

  it("take(n) is all or nothing", () => {
    const b = new TokenBucket(1, 5, 0);
    assert.equal(b.take(0, 3), true);
    assert.equal(b.take(0, 3), false);
    assert.equal(b.take(0, 2), true);
    assert.equal(b.take(0, 6), false);
  });

  it("waitMs says how long until n tokens are there", () => {
    const b = new TokenBucket(10, 20, 0);
    assert.equal(b.waitMs(0), 0);
    drain(b, 0);
    assert.equal(b.waitMs(0), 100);
    assert.equal(b.waitMs(0, 5), 500);
    assert.equal(b.waitMs(50), 50);
    assert.equal(b.take(100), true);
  });

  it("waitMs is Infinity when a zero rate can never refill", () => {
    const b = new TokenBucket(0, 1, 0);
    assert.equal(b.take(0), true);
    assert.equal(b.waitMs(1e9), Infinity);
  });

  it("a clock going backwards neither refills nor drains, and is not counted twice", () => {
    const b = new TokenBucket(10, 20, 1000);
    drain(b, 1000);
    assert.equal(b.take(0), false);
    assert.equal(b.waitMs(0), 100);
    // Back at 1000 after visiting 0: no time has passed since the last real reading.
    assert.equal(b.take(1000), false);
    assert.equal(drain(b, 1100), 1);
  });

  it("never grants more than burst + rate × elapsed (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100 }),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.integer({ min: -500, max: 2000 }), { maxLength: 60 }),
        (rate, burst, steps) => {
          const b = new TokenBucket(rate, burst, 0);
          let now = 0;
          let latest = 0;
          let granted = 0;
          for (const step of steps) {
            now = Math.max(0, now + step);
            latest = Math.max(latest, now);
            if (b.take(now)) granted++;
          }
          assert.ok(granted <= burst + (rate * latest) / 1000 + 1e-9);
        },
      ),
    );
  });
});
