#!/usr/bin/env node
/**
 * `npm run chaos -- [--duration 10m] [--cluster]`: the embedded chaos run (or
 * the cluster one: 3 gateways, 2 sequencers, a sink on Kafka and PostgreSQL),
 * then the verdict and counts; exit 1 on any violation.
 * `--cluster --routing redistributed [--forwarding kafka|direct]`: the gateways
 * get their events from two redistributors, on a broker of the run's own that
 * is restarted among the faults (cluster-target.ts, routing-faults.ts).
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
  readonly routing: "everything" | "redistributed";
  readonly forwarding: "kafka" | "direct";
}

const USAGE =
  "usage: chaos [socketio] [--duration 10m] [--cluster [--routing everything|redistributed] [--forwarding kafka|direct]]";

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
  let routing: ChaosArgs["routing"] = "everything";
  let forwarding: ChaosArgs["forwarding"] = "kafka";
  for (let i = 0; i < argv.length; i++) {
    const [arg, inline] = argv[i]!.split(/=(.*)/s, 2) as [string, string | undefined];
    const value = (): string => inline ?? argv[++i] ?? "";
    if (arg === "socketio") command = "socketio";
    else if (arg === "--cluster") cluster = true;
    else if (arg === "--duration") durationMs = parseDuration(value());
    else if (arg === "--routing") routing = oneOf(arg, value(), ["everything", "redistributed"] as const);
    else if (arg === "--forwarding") forwarding = oneOf(arg, value(), ["kafka", "direct"] as const);
    else throw new Error(`unknown argument ${arg}; ${USAGE}`);
  }
  if ((routing !== "everything" || forwarding !== "kafka") && !cluster)
    throw new Error(`--routing and --forwarding need --cluster; ${USAGE}`);
  if (forwarding !== "kafka" && routing !== "redistributed")
    throw new Error(`--forwarding needs --routing redistributed; ${USAGE}`);
  return { command, durationMs, cluster, routing, forwarding };
}

function oneOf<T extends string>(flag: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${flag} must be ${allowed.join(" or ")}, not ${JSON.stringify(value)}; ${USAGE}`);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const log = (line: string): void => console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`);
  if (args.command === "socketio") {
    const { runSocketIoComparison } = await import("./socketio/socketio-run.js");
    return runSocketIoComparison(args.durationMs, log);
  }
  if (!args.cluster) return runOn(await startEmbeddedTarget(), args, log);
  const { routing, forwarding } = args;
  const services = await ensureClusterServices(log, routing !== "redistributed");
  try {
    // Redistributed routing restarts its broker, so it starts one of its own rather than use services.kafka.
    const kafka = routing === "redistributed" ? "a broker of the run's own" : `Kafka ${services.kafka}`;
    log(`cluster (${routing} routing) on ${kafka}, PostgreSQL ${services.postgres}`);
    return await runOn(await startClusterTarget({ kafka: services.kafka, routing, forwarding }), args, log);
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
