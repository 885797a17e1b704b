import assert from "node:assert/strict";
import { test } from "node:test";
import { Heartbeat } from "./heartbeat.js";
import { FakeTimers } from "./test-support/fake-timers.js";

test("fires once after the timeout of silence", () => {
  const timers = new FakeTimers();
  let dead = 0;
  const hb = new Heartbeat(timers, () => dead++);
  hb.start(1000);
  timers.advance(999);
  assert.equal(dead, 0);
  timers.advance(1);
  assert.equal(dead, 1);
  timers.advance(10_000);
  assert.equal(dead, 1);
  assert.equal(hb.running, false);
});

test("every arrival pushes the deadline out", () => {
  const timers = new FakeTimers();
  let dead = 0;
  const hb = new Heartbeat(timers, () => dead++);
  hb.start(1000);
  for (let i = 0; i < 10; i++) {
    timers.advance(600);
    hb.touch();
  }
  assert.equal(dead, 0);
  timers.advance(999);
  assert.equal(dead, 0);
  timers.advance(1);
  assert.equal(dead, 1);
});

test("stop cancels detection", () => {
  const timers = new FakeTimers();
  let dead = 0;
  const hb = new Heartbeat(timers, () => dead++);
  hb.start(100);
  hb.stop();
  timers.advance(1000);
  assert.equal(dead, 0);
  assert.equal(timers.pending, 0);
});
