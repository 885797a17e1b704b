import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const RUN = fileURLToPath(new URL("./run.js", import.meta.url));

/** Runs one scenario at toy scale (a few connections, one round) into a temp dir; returns its JSON. */
function runToy(scenario: string): Record<string, unknown> {
  const out = mkdtempSync(join(tmpdir(), "parley-bench-smoke-"));
  try {
    const res = spawnSync(process.execPath, [RUN, scenario, "--toy", `--out=${out}`], {
      encoding: "utf8",
      timeout: 90_000,
    });
    assert.equal(res.status, 0, `bench ${scenario} failed:\n${res.stderr}`);
    const file = scenario === "durable-publish" ? "durable" : scenario;
    const doc = JSON.parse(readFileSync(join(out, `${file}.json`), "utf8")) as Record<string, unknown>;
    assert.ok(readFileSync(join(out, "summary.md"), "utf8").startsWith("# Parley benchmark summary"));
    return doc;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

type Summary = Record<string, Record<string, number>>;

test("fanout: every system delivers at toy scale", { timeout: 100_000 }, () => {
  const summary = runToy("fanout")["summary"] as Summary;
  for (const system of ["parley", "ws", "nats", "socketio"])
    assert.ok(summary[system]!["deliveredPerSec"]! > 0, system);
});

test("dms: every system measures latency", { timeout: 100_000 }, () => {
  const summary = runToy("dms")["summary"] as Summary;
  for (const system of ["parley", "ws", "nats", "socketio"]) assert.ok(summary[system]!["p99Ms"]! > 0, system);
});

test("durable-publish: acks through the server", { timeout: 100_000 }, () => {
  const summary = runToy("durable-publish")["summary"] as Summary;
  assert.ok(summary["parley"]!["ackedPerSec"]! > 0);
});

test("idle: measures memory per connection", { timeout: 100_000 }, () => {
  const summary = runToy("idle")["summary"] as Record<string, Summary>;
  assert.ok(Number.isFinite(summary["parley"]!["20"]!["rssKiBPerConn"]));
});

test("resume: every client catches up", { timeout: 100_000 }, () => {
  const summary = runToy("resume")["summary"] as Summary;
  assert.equal(summary["parley"]!["caughtUp"], 1);
});
