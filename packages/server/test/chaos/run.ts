#!/usr/bin/env node
/**
 * `npm run chaos -- [--duration 10m] [--cluster]`: the embedded chaos run (or
 * the cluster one: 3 gateways, 2 sequencers, a sink on Kafka and PostgreSQL),
 * then the verdict and counts; exit 1 on any violation.
 * `npm run chaos -- socketio [--duration 2m]`: the same kill and cut faults
 * against Socket.IO 4, reported beside Parley's figures (docs/reliability.md).
 */
import type { ChaosTarget } from "./chaos-target.js";
import { ensureClusterServices } from "./cluster-services.js";
import { startClusterTarget } from "./cluster-target.js";
import { startEmbeddedTarget } from "./embedded-target.js";
import { formatReport, passed } from "./report.js";
import { runChaos } from "./scenario.js";

/** Parsed command line. */
export interface ChaosArgs {
  readonly command: "parley" | "socketio";
  readonly durationMs: number;
  readonly cluster: boolean;
}

/** Parses `10m`, `90s`, `1500ms` or a bare number of seconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new Error(`bad duration ${JSON.stringify(text)} (try 90s, 10m)`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] ?? "s"]!;
  return Math.round(Number(match[1]) * unit);
}

/** Parses the arguments after `npm run chaos --`. */
export function parseArgs(argv: readonly string[]): ChaosArgs {
  let command: ChaosArgs["command"] = "parley";
  let durationMs = 60_000;
  let cluster = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "socketio") command = "socketio";
    else if (arg === "--cluster") cluster = true;
    else if (arg === "--duration") durationMs = parseDuration(argv[++i] ?? "");
    else if (arg.startsWith("--duration=")) durationMs = parseDuration(arg.slice("--duration=".length));
    else throw new Error(`unknown argument ${arg}; usage: chaos [socketio] [--duration 10m] [--cluster]`);
  }
  return { command, durationMs, cluster };
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
  if (args.command === "socketio") {
    const { runSocketIoComparison } = await import("./socketio/socketio-run.js");
    return runSocketIoComparison(args.durationMs, log);
  }
  if (!args.cluster) return runOn(await startEmbeddedTarget(), args, log);
  const services = await ensureClusterServices(log);
  try {
    log(`cluster on Kafka ${services.kafka}, PostgreSQL ${services.postgres}`);
    return await runOn(await startClusterTarget({ kafka: services.kafka }), args, log);
  } finally {
    await services.stop();
  }
}

/** Runs the scenario on `target`, prints the verdict, and stops the target. */
async function runOn(target: ChaosTarget, args: ChaosArgs, log: (line: string) => void): Promise<number> {
  try {
    const report = await runChaos(target, { durationMs: args.durationMs, log });
    console.log(formatReport(report));
    if (!passed(report)) console.error(target.diagnostics());
    return passed(report) ? 0 : 1;
  } finally {
    await target.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err);
    process.exit(3);
  },
);
