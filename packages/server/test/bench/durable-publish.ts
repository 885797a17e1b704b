/**
 * Durable-publish benchmark of the embedded log, in process: (a) the most
 * appends per second acknowledged after COMMIT with many in flight over 100
 * rooms; (b) ack latency at a steady rate. Each run gets a fresh database.
 *
 *   node packages/server/dist/bench/durable-publish.js [--seconds=5] [--rate=5000] [--inflight=4000] [--listener-us=0] [--out=FILE]
 *
 * The latency table also shows the event-loop delay during the run (what a commit stalls the rest of a server).
 *
 * Prints a table and writes FILE (default bench/results/durable-publish.json at the repo root).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { openEmbedded, type EmbeddedConfig } from "#server/sqlite/open-embedded.js";
import type { EventLog, PublishCommand } from "#server/log/event-log.js";
import { createLatencyRecorder } from "./latency-recorder.js";

interface BenchArgs {
  readonly seconds: number;
  readonly rate: number;
  readonly inflight: number;
  readonly rooms: number;
  /** CPU burnt by a listener per event, in µs: stands in for fan-out work on the event loop. */
  readonly listenerUs: number;
}

interface RunSpec {
  readonly durability: "full" | "normal";
  /** `tick`: commit on the next event-loop turn; `interval`: 2 ms after the first queued append. */
  readonly flush: "spaced" | "tick" | "interval";
}

interface ThroughputResult extends RunSpec {
  readonly acked: number;
  readonly seconds: number;
  readonly perSec: number;
}

interface LatencyResult extends RunSpec {
  readonly targetRate: number;
  readonly achievedRate: number;
  readonly count: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** Event-loop delay during the run: what a commit blocking the loop costs every other socket. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
  readonly recorder: string;
}

function parseArgs(argv: readonly string[]): BenchArgs {
  const get = (name: string, def: number) => {
    const arg = argv.find((a) => a.startsWith(`--${name}=`));
    return arg ? Number(arg.slice(name.length + 3)) : def;
  };
  return {
    seconds: get("seconds", 5),
    rate: get("rate", 5000),
    inflight: get("inflight", 4000),
    rooms: get("rooms", 100),
    listenerUs: get("listener-us", 0),
  };
}

const BODY = { text: "The quick brown fox jumps over the lazy dog; a chat message of about a hundred bytes." };

/** Opens a fresh embedded log in a temp dir; returns it with a cleanup. */
async function freshLog(spec: RunSpec, listenerUs: number) {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-"));
  const config: EmbeddedConfig = {
    dataDir: dir,
    durability: spec.durability,
    commitIntervalMs: 2,
    commitMaxBatch: 2000,
    dedupeWindowHours: 24,
  };
  const storage = openEmbedded(config, { flush: spec.flush });
  await storage.log.start();
  if (listenerUs > 0) storage.log.subscribe(() => burn(listenerUs));
  return {
    log: storage.log as EventLog,
    async dispose() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function burn(us: number): void {
  const until = performance.now() + us / 1000;
  while (performance.now() < until);
}

/** Closed loop: `inflight` workers each append, await the ack, and append again until time is up. */
async function throughput(spec: RunSpec, args: BenchArgs): Promise<ThroughputResult> {
  const { log, dispose } = await freshLog(spec, args.listenerUs);
  let acked = 0;
  let next = 0;
  const start = performance.now();
  const end = start + args.seconds * 1000;
  const worker = async () => {
    while (performance.now() < end) {
      const n = next++;
      await log.append(command(n, args.rooms));
      acked++;
    }
  };
  await Promise.all(Array.from({ length: args.inflight }, worker));
  const seconds = (performance.now() - start) / 1000;
  await dispose();
  return { ...spec, acked, seconds, perSec: Math.round(acked / seconds) };
}

function command(n: number, rooms: number): PublishCommand {
  return { room: `room-${n % rooms}`, cmid: `c${n}`, from: `user-${n % 977}`, kind: "message", body: BODY };
}

/** Open loop: publishes at `rate`/s for `seconds`, measuring each append from call to ack. */
async function latency(spec: RunSpec, args: BenchArgs): Promise<LatencyResult> {
  const { log, dispose } = await freshLog(spec, args.listenerUs);
  const rec = await createLatencyRecorder();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const total = Math.round(args.rate * args.seconds);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  let sent = 0;
  while (sent < total) {
    // Send everything that is due by now, then yield to let commits and acks happen.
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * args.rate));
    for (; sent < due; sent++) {
      const t0 = performance.now();
      pending.push(log.append(command(sent, args.rooms)).then(() => rec.record((performance.now() - t0) * 1000)));
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  loop.disable();
  await dispose();
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    ...spec,
    targetRate: args.rate,
    achievedRate: Math.round(total / elapsed),
    count: rec.count(),
    p50Ms: ms(rec.percentile(50)),
    p99Ms: ms(rec.percentile(99)),
    p999Ms: ms(rec.percentile(99.9)),
    maxMs: ms(rec.max()),
    loopP99Ms: ms(loop.percentile(99) / 1000),
    loopMaxMs: ms(loop.max / 1000),
    recorder: rec.kind,
  };
}

function printTables(tp: ThroughputResult[], lat: LatencyResult[], args: BenchArgs): void {
  console.log(`\nThroughput (${args.inflight} in flight, ${args.rooms} rooms, ${args.seconds}s, acked after COMMIT)`);
  console.log("durability  flush     acked      msg/s");
  for (const r of tp) {
    console.log(`${r.durability.padEnd(12)}${r.flush.padEnd(10)}${String(r.acked).padEnd(11)}${r.perSec}`);
  }
  console.log(`\nAck latency at ${args.rate} msg/s for ${args.seconds}s`);
  console.log("durability  flush     achieved  p50 ms  p99 ms  p99.9   max ms  loop p99 loop max");
  for (const r of lat) {
    const cols = [r.achievedRate, r.p50Ms, r.p99Ms, r.p999Ms, r.maxMs, r.loopP99Ms, r.loopMaxMs].map((v, i) =>
      String(v).padEnd(i === 0 ? 10 : 8),
    );
    console.log(`${r.durability.padEnd(12)}${r.flush.padEnd(10)}${cols.join("")}`);
  }
}

/** `--out=FILE`, else bench/results/durable-publish.json (dist/bench/durable-publish.js → repo root is four levels up). */
function outFile(argv: readonly string[]): string {
  const out = argv.find((a) => a.startsWith("--out="));
  if (out) return resolve(out.slice("--out=".length));
  return fileURLToPath(new URL("../../../../bench/results/durable-publish.json", import.meta.url));
}

function writeJson(tp: ThroughputResult[], lat: LatencyResult[], args: BenchArgs): string {
  const file = outFile(process.argv.slice(2));
  mkdirSync(dirname(file), { recursive: true });
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, tmpdir: tmpdir() };
  const doc = {
    benchmark: "durable-publish",
    at: new Date().toISOString(),
    machine,
    args,
    throughput: tp,
    latency: lat,
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + "\n");
  return file;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const specs: RunSpec[] = [];
  for (const durability of ["full", "normal"] as const) {
    for (const flush of ["spaced", "tick", "interval"] as const) specs.push({ durability, flush });
  }
  const tp: ThroughputResult[] = [];
  const lat: LatencyResult[] = [];
  for (const spec of specs) tp.push(await throughput(spec, args));
  for (const spec of specs) lat.push(await latency(spec, args));
  printTables(tp, lat, args);
  console.log(`\nwrote ${writeJson(tp, lat, args)}`);
}

await main();
