/**
 * The benchmark runner: `npm run bench -- <scenario>|all [--quick|--toy] [--rounds=N]
 * [--workers=N] [--systems=parley,ws,nats,socketio,centrifugo] [--out=DIR] [--cpu-prof] [--parley-args=a,b]
 * [--steps=10000,80000] [--step-ms=N] [--perf] [--node-args=a,b] [--kafka-parts=durable,dms] [--calibrate] [--clusters=g4-everything,…] [--rate=N]`.
 * Scenarios: fanout, small-rooms (rooms of 10, with Centrifugo), dms, durable-publish, commit-floor (the
 * embedded writer's commit alone, per event), idle, resume (these seven are `all`), kafka
 * (fan-out, durable publish and DMs on embedded Parley, `--role all` and the roles split, then idle
 * over three gateways; starts its own broker and PostgreSQL), restart
 * (kill -9 → accepted again on a data dir of 1 000 000 events, built once under bench/results/), and routing
 * (issue 15: `everything` against `redistributed` routing, Kafka and direct forwarding, on 1, 2, 4 and 8
 * gateways with local and spread rooms; its own broker and PostgreSQL; `--calibrate` then fits the routing
 * cost model to it, bench/src/routing-model/calibrate.ts; `--clusters=` measures some clusters again into
 * the existing routing.json; `--rate=N` adds points of rooms of 2 at N publishes/s beside the plan's).
 * Writes <out>/<scenario>.json, <out>/summary.md and <out>/fanout.svg (default out: bench/results);
 * routing.json is in the cost model's schema (bench/src/routing-model/routing-points.ts), not the others'.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { summaryMarkdown, type AllResults } from "./report/markdown.js";
import { fanoutChart } from "./report/svg-chart.js";
import { KAFKA_PARTS, log, type BenchOptions, type KafkaPart, type Scale } from "./scenarios/common.js";
import { commitFloor } from "./scenarios/commit-floor.js";
import { dms } from "./scenarios/dms.js";
import { durable } from "./scenarios/durable.js";
import { fanout } from "./scenarios/fanout.js";
import { idle } from "./scenarios/idle.js";
import { kafka } from "./scenarios/kafka.js";
import { kafkaClients } from "./scenarios/kafka-clients.js";
import { restart } from "./scenarios/restart.js";
import { resume } from "./scenarios/resume.js";
import { routing } from "./scenarios/routing.js";
import { calibrateMain } from "./routing-model/calibrate.js";
import { smallRooms } from "./scenarios/small-rooms.js";
import { SYSTEMS, type SystemName } from "./wire/wire.js";

const SCENARIOS = {
  fanout,
  "small-rooms": smallRooms,
  dms,
  durable,
  "commit-floor": commitFloor,
  idle,
  resume,
  kafka,
  "kafka-clients": kafkaClients,
  restart,
  routing,
} as const;
type ScenarioName = keyof typeof SCENARIOS;
const ALIASES: Record<string, ScenarioName> = {
  "durable-publish": "durable",
  "fan-out": "fanout",
  "resume-storm": "resume",
};
/** What `all` runs; kafka (a JVM broker) and restart (a 1M-event data dir) are separate. */
const ORDER: ScenarioName[] = ["fanout", "small-rooms", "dms", "durable", "commit-floor", "idle", "resume"];
/** Scenarios whose JSON is written as they return it (a schema of its own, not the summary's). */
const OWN_SCHEMA: ReadonlySet<ScenarioName> = new Set(["routing", "kafka-clients"]);
/** Every scenario whose results the summary reads back. */
const REPORTED: ScenarioName[] = [...ORDER, "kafka", "restart"];

interface RunArgs {
  scenarios: ScenarioName[];
  opts: BenchOptions;
  out: string;
}

function parseArgs(argv: readonly string[]): RunArgs {
  const flag = (name: string) => argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  const value = (name: string) => flag(name)?.split("=")[1];
  const scale: Scale = flag("toy") ? "toy" : flag("quick") ? "quick" : "full";
  const names = argv.filter((a) => !a.startsWith("--"));
  if (names.length === 0) throw new Error(`usage: npm run bench -- <${[...ORDER, "all"].join("|")}> [--quick]`);
  const scenarios = names.flatMap((n) => (n === "all" ? ORDER : [ALIASES[n] ?? (n as ScenarioName)]));
  for (const s of scenarios) if (!(s in SCENARIOS)) throw new Error(`unknown scenario ${s}`);
  const out = resolve(value("out") ?? fileURLToPath(new URL("../results/", import.meta.url)));
  const systems = (value("systems")?.split(",") ?? [...SYSTEMS]) as SystemName[];
  const nodeArgs = flag("cpu-prof") ? ["--cpu-prof", `--cpu-prof-dir=${join(out, "profiles")}`] : [];
  // `--perf` writes /tmp/perf-<pid>.map so `perf record -p <pid>` (pid in the log) names JS functions.
  if (flag("perf")) nodeArgs.push("--perf-basic-prof-only-functions");
  // `--node-args=--trace-gc` passes flags to every Node server (comma-separated).
  nodeArgs.push(...(flag("node-args")?.slice("--node-args=".length).split(",") ?? []));
  const rounds = Number(value("rounds") ?? (scale === "full" ? 2 : 1));
  // `--parley-args=--durability,normal` passes extra flags to `parley start` (comma-separated).
  const parleyArgs = flag("parley-args")?.slice("--parley-args=".length).split(",") ?? [];
  const baselineCli = value("baseline");
  if (baselineCli && !value("systems")) systems.splice(1, 0, "parley-base");
  const workers = Number(value("workers") ?? 2);
  const steps = value("steps")?.split(",").map(Number);
  const stepMs = value("step-ms") === undefined ? undefined : Number(value("step-ms"));
  const start = { nodeArgs, parleyArgs, baselineCli };
  const kafkaParts = kafkaPartsOf(value("kafka-parts"));
  const routingClusters = value("clusters")?.split(",");
  const routingRate = value("rate") === undefined ? undefined : Number(value("rate"));
  const systemsGiven = value("systems") !== undefined;
  const opts = {
    scale,
    rounds,
    workers,
    systems,
    systemsGiven,
    start,
    steps,
    stepMs,
    out,
    ...(kafkaParts && { kafkaParts }),
    ...(routingClusters && { routingClusters }),
    ...(routingRate !== undefined && { routingRate }),
  };
  return { scenarios, out, opts };
}

/** `--kafka-parts=durable,dms`: the kafka scenario's parts to run (all when not given). */
function kafkaPartsOf(given: string | undefined): KafkaPart[] | undefined {
  const parts = given?.split(",");
  for (const p of parts ?? []) {
    if (!(KAFKA_PARTS as readonly string[]).includes(p))
      throw new Error(`unknown kafka part ${p} (${KAFKA_PARTS.join(", ")})`);
  }
  return parts as KafkaPart[] | undefined;
}

function loadExisting(out: string): AllResults {
  const all: AllResults = {};
  for (const name of REPORTED) {
    const file = join(out, `${name}.json`);
    if (existsSync(file)) (all as Record<string, unknown>)[name] = JSON.parse(readFileSync(file, "utf8"));
  }
  return all;
}

/** The fan-out results with the Kafka-mode systems' rounds added (not its embedded reference), so one chart shows every system. */
function withKafkaFanout(fan: NonNullable<AllResults["fanout"]>, kafka: AllResults["kafka"]): typeof fan {
  const kafkaRounds = Object.entries(kafka?.fanout?.rounds ?? {}).filter(([n]) => n.startsWith("parley-kafka"));
  return { ...fan, rounds: { ...fan.rounds, ...Object.fromEntries(kafkaRounds) } };
}

async function main(): Promise<void> {
  const { scenarios, opts, out } = parseArgs(process.argv.slice(2));
  const calibrate = process.argv.includes("--calibrate");
  mkdirSync(out, { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version };
  const started = Date.now();
  for (const name of scenarios) {
    log(`scenario ${name} (${opts.scale}, ${opts.rounds} round(s), ${opts.workers} generator processes)`);
    const result = await SCENARIOS[name](opts);
    const doc = OWN_SCHEMA.has(name)
      ? result
      : {
          ...result,
          at: new Date().toISOString(),
          machine,
          scale: opts.scale,
          rounds: (result as { rounds: unknown }).rounds,
        };
    writeFileSync(join(out, `${name}.json`), JSON.stringify(doc, null, 2) + "\n");
    if (name === "routing" && calibrate) await calibrateMain([`--in=${join(out, "routing.json")}`]);
  }
  const all = loadExisting(out);
  // The summary is rebuilt from every scenario's stored JSON: the run described here wrote only some of them.
  const meta = `Generated ${new Date().toISOString()} on ${machine.cpus} × ${machine.cpuModel ?? "?"}, Node ${machine.node}, after a run of ${scenarios.join(", ")} (scale ${opts.scale}, ${opts.rounds} round(s) A B C…); the other sections are from earlier runs. Shared machine, so compare ratios within one run.`;
  writeFileSync(join(out, "summary.md"), summaryMarkdown(all, meta));
  if (all.fanout) writeFileSync(join(out, "fanout.svg"), fanoutChart(withKafkaFanout(all.fanout, all.kafka)));
  log(`done in ${Math.round((Date.now() - started) / 1000)} s; results in ${out}`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
