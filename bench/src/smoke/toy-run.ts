/**
 * The benchmark smoke tests (one file per scenario, so each has the test runner's whole time budget): each
 * scenario runs at toy scale and must yield a well-formed result, every system measured, messages published
 * and delivered. They never assert a rate or a latency: at toy scale on a shared machine those are noise (a
 * fan-out step whose p99 passes the 50 ms limit leaves `best` empty and the summary's rate at 0).
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const RUN = fileURLToPath(new URL("../run.js", import.meta.url));

/** The systems the fan-out and DM scenarios compare. */
export const SYSTEMS = ["parley", "ws", "nats", "socketio"] as const;

/** A scenario summary: per system, named numbers. */
export type Summary = Record<string, Record<string, number>>;
/** The part of a latency summary the smoke tests read. */
export type Latency = { count: number; p50Ms: number; p99Ms: number };

/** Runs one scenario at toy scale (a few connections, one round) into a temp dir, with `args`; returns its JSON. */
export async function runToy(scenario: string, args: readonly string[] = []): Promise<Record<string, unknown>> {
  return (await runToyWithSummary(scenario, args)).doc;
}

/** runToy, with the run's summary.md text beside the JSON. */
export async function runToyWithSummary(
  scenario: string,
  args: readonly string[] = [],
): Promise<{ doc: Record<string, unknown>; summary: string }> {
  const out = mkdtempSync(join(tmpdir(), "parley-bench-smoke-"));
  try {
    // Asynchronous, so the test runner's timeout (not a fixed one here) bounds a run on a slow machine.
    await promisify(execFile)(process.execPath, [RUN, scenario, "--toy", `--out=${out}`, ...args], {
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stderr?: string }) => assert.fail(`bench ${scenario} failed:\n${err.stderr ?? String(err)}`));
    const file = scenario === "durable-publish" ? "durable" : scenario;
    const doc = JSON.parse(readFileSync(join(out, `${file}.json`), "utf8")) as Record<string, unknown>;
    const summary = readFileSync(join(out, "summary.md"), "utf8");
    assert.ok(summary.startsWith("# Parley benchmark summary"));
    return { doc, summary };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * Every system has at least one round, and a summary entry whose fields are numbers (or null: JSON's NaN, as when
 * no fan-out step stayed within the latency limit); returns the rounds.
 */
export function assertMeasured<R>(doc: Record<string, unknown>, systems: readonly string[]): Record<string, R[]> {
  const rounds = doc["rounds"] as Record<string, R[]>;
  const summary = doc["summary"] as Summary;
  for (const system of systems) {
    assert.ok((rounds[system]?.length ?? 0) > 0, `${system}: no round`);
    assert.ok(summary[system], `${system}: no summary`);
    for (const [field, value] of Object.entries(summary[system]))
      assert.ok(value === null || typeof value === "number", `${system}.${field}: ${String(value)}`);
  }
  return rounds;
}

/** Every step of every round of each system published, and each system delivered something in some step. */
export function assertStepsDelivered(
  rounds: Record<string, { steps: { published: number; latency: Latency }[] }[]>,
  systems: readonly string[],
): void {
  for (const system of systems) {
    const steps = (rounds[system] ?? []).flatMap((r) => r.steps);
    assert.ok(steps.length > 0 && steps.every((s) => s.published > 0), `${system}: a step published nothing`);
    assert.ok(
      steps.some((s) => s.latency.count > 0),
      `${system}: nothing delivered`,
    );
  }
}
