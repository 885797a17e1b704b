import assert from "node:assert/strict";
import { test } from "node:test";
import { TransportSelector, type AttemptFailure } from "./transport-selector.js";

function selector(failures = 2, probeAfterMs = 1000) {
  const clock = { now: 0 };
  const s = new TransportSelector(["websocket", "sse"], { failures, probeAfterMs }, () => clock.now);
  return { s, clock };
}

/**
 * Runs one attempt: asks for the transport, then reports that it reached the
 * server (true), or failed while the server answered HTTP (false), or failed
 * with the given cause (the injected probe result).
 */
function attempt(s: TransportSelector, result: boolean | AttemptFailure): string {
  const kind = s.next();
  if (result === true) s.reached();
  else s.failed(result === false ? "transport" : result);
  return kind;
}

/** Runs one attempt per result, returning the transports chosen. */
function runs(s: TransportSelector, results: readonly (boolean | AttemptFailure)[]): string[] {
  return results.map((r) => attempt(s, r));
}

test("starts with the first transport and keeps it while it reaches the server", () => {
  const { s } = selector();
  assert.deepEqual(
    [true, true, true].map((r) => attempt(s, r)),
    ["websocket", "websocket", "websocket"],
  );
});

test("falls back after `failures` consecutive failed attempts, not before", () => {
  const { s } = selector(3);
  assert.deepEqual(
    [false, false, false, true].map((r) => attempt(s, r)),
    ["websocket", "websocket", "websocket", "sse"],
  );
});

test("an attempt that reaches the server resets the failure count", () => {
  const { s } = selector(2);
  assert.deepEqual(
    [false, true, false, true].map((r) => attempt(s, r)),
    ["websocket", "websocket", "websocket", "websocket"],
  );
});

test("a fallback that reached the server is kept until the probe is due", () => {
  const { s, clock } = selector(1, 1000);
  attempt(s, false);
  clock.now = 999;
  assert.deepEqual(
    [true, true].map((r) => attempt(s, r)),
    ["sse", "sse"],
  );
});

test("a due probe that works brings the preferred transport back for good", () => {
  const { s, clock } = selector(1, 1000);
  attempt(s, false);
  attempt(s, true);
  clock.now = 1000;
  assert.equal(attempt(s, true), "websocket");
  clock.now = 100_000;
  assert.deepEqual(
    [true, false].map((r) => attempt(s, r)),
    ["websocket", "websocket"],
  );
});

test("a failed probe returns to the fallback at once and waits probeAfterMs again", () => {
  const { s, clock } = selector(2, 1000);
  attempt(s, false);
  attempt(s, false);
  clock.now = 5000;
  assert.equal(attempt(s, false), "websocket");
  assert.equal(attempt(s, true), "sse");
  clock.now = 5999;
  assert.equal(attempt(s, true), "sse");
  clock.now = 6000;
  assert.equal(attempt(s, true), "websocket");
});

test("when every transport fails while HTTP answers it cycles through them", () => {
  const { s } = selector(1);
  assert.deepEqual(
    [false, false, false, false].map((r) => attempt(s, r)),
    ["websocket", "sse", "websocket", "sse"],
  );
});

test("a down server (no HTTP answer) never moves the client off WebSocket", () => {
  const { s, clock } = selector(2);
  const down = Array.from({ length: 10 }, () => "server" as const);
  clock.now = 100_000;
  assert.deepEqual(
    [...down, true].map((r) => attempt(s, r)),
    Array.from({ length: 11 }, () => "websocket"),
  );
});

test("down-server failures neither count nor reset the count of transport failures", () => {
  const { s } = selector(2);
  assert.deepEqual(runs(s, [false, "server", "server", false, true]), [
    "websocket",
    "websocket",
    "websocket",
    "websocket",
    "sse",
  ]);
});

test("on a fallback, a down server keeps the fallback until the probe is due", () => {
  const { s, clock } = selector(1, 1000);
  attempt(s, false);
  clock.now = 500;
  assert.deepEqual(runs(s, ["server", "server", true]), ["sse", "sse", "sse"]);
});

test("a probe that meets a down server stays due: WebSocket is tried again, and decides once the server answers", () => {
  const { s, clock } = selector(2, 1000);
  attempt(s, false);
  attempt(s, false);
  clock.now = 1000;
  assert.deepEqual(runs(s, ["server", "server", true, true]), ["websocket", "websocket", "websocket", "websocket"]);
  const { s: blocked, clock: clock2 } = selector(2, 1000);
  attempt(blocked, false);
  attempt(blocked, false);
  clock2.now = 1000;
  assert.deepEqual(runs(blocked, ["server", false, true]), ["websocket", "websocket", "sse"]);
});

test("a single transport is always chosen; an empty list is refused", () => {
  const s = new TransportSelector(["sse"], { failures: 1, probeAfterMs: 0 }, () => 0);
  assert.deepEqual(
    [false, false, true].map((r) => attempt(s, r)),
    ["sse", "sse", "sse"],
  );
  assert.throws(() => new TransportSelector([], { failures: 1, probeAfterMs: 0 }, () => 0), /no usable transport/);
});
