import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LatencySummary } from "../histogram.js";
import type { SystemName } from "../wire/wire.js";
import { log, medianOf, requireOpened, rounds, sleep, withSystem, type BenchOptions } from "./common.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const IN_PROCESS = `${ROOT}packages/server/dist-test/bench/durable-publish.js`;

/** The Parley builds durable publish runs, those of them in `--systems` (default: Parley alone). */
const DURABLE_SYSTEMS: SystemName[] = ["parley", "parley-base", "parley-kafka"];

/** Longest wait for the open loop's acks before the closed loop starts. */
const DRAIN_MAX_MS = 30_000;

const SIZES = {
  full: { publishers: 200, window: 20, rate: 5_000, seconds: 5, inProcessSeconds: 3 },
  quick: { publishers: 200, window: 20, rate: 5_000, seconds: 3, inProcessSeconds: 2 },
  toy: { publishers: 4, window: 2, rate: 100, seconds: 1, inProcessSeconds: 0 },
} as const;

export interface DurableRound {
  /** Closed loop: publishes acked after COMMIT per second, `publishers × window` in flight. */
  ackedPerSec: number;
  closedAck: LatencySummary;
  /** Open loop at `rate` msg/s. */
  ack: LatencySummary;
  achievedRate: number;
  /** Server CPU per acked publish in the closed loop: steadier than msg/s on a shared machine. */
  serverCpuUsPerAck: number;
}

export interface DurableResult {
  scenario: "durable";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  rounds: Record<string, DurableRound[]>;
  /** The existing in-process benchmark of the embedded log (packages/server/test/bench/durable-publish.ts). */
  inProcess: unknown;
  summary: Record<string, { ackedPerSec: number; p50AckMs: number; p99AckMs: number; serverCpuUsPerAck: number }>;
}

/** Scenario 3: acked-after-commit publishes through the real server (each publisher alone in its room). */
export async function durable(opts: BenchOptions): Promise<DurableResult> {
  const size = SIZES[opts.scale];
  const systems = DURABLE_SYSTEMS.filter((n) => opts.systems.includes(n));
  if (systems.length === 0) systems.push("parley");
  const embedded = systems.includes("parley") && size.inProcessSeconds > 0;
  const inProcess = embedded ? await runInProcess(size.inProcessSeconds, size.rate, opts.out) : undefined;
  const all = await rounds(opts, systems, (name) =>
    withSystem(name, opts, async ({ sys, gen, sampler }) => {
      const specs = Array.from({ length: size.publishers }, (_, i) => ({ user: `p${i}`, room: `d${i}` }));
      const opened = await gen.open(name, sys.port, specs);
      requireOpened(name, opened.ok, size.publishers);
      const pubs = specs.map((_, i) => i);
      await gen.measure();
      const sent = await gen.publish(pubs, size.rate, size.seconds * 1000);
      await sleep(500);
      // An overloaded system is still acking the open loop's backlog: let it drain, or the closed loop
      // below would measure that backlog instead of its own publishes.
      const drainStart = performance.now();
      while ((await gen.report()).acked < sent && performance.now() - drainStart < DRAIN_MAX_MS) await sleep(100);
      const open = await gen.report();
      await gen.measure();
      sampler.start();
      await gen.closedLoop(pubs, size.window, size.seconds * 1000);
      await sleep(200);
      const cpu = sampler.window();
      const closed = await gen.report();
      const round: DurableRound = {
        ackedPerSec: Math.round(closed.acked / size.seconds),
        closedAck: closed.ack,
        ack: open.ack,
        achievedRate: Math.round(sent / size.seconds),
        serverCpuUsPerAck: Math.round((cpu.cpuUs / Math.max(1, closed.acked)) * 100) / 100,
      };
      log(
        `durable: ${round.ackedPerSec} acked/s (server ${round.serverCpuUsPerAck} µs CPU per ack); at ${size.rate}/s p99 ack ${round.ack.p99Ms} ms`,
      );
      return round;
    }),
  );
  const summary: DurableResult["summary"] = {};
  for (const [name, rs] of Object.entries(all)) {
    summary[name] = {
      ackedPerSec: medianOf(rs, (r) => r.ackedPerSec),
      p50AckMs: medianOf(rs, (r) => r.ack.p50Ms),
      p99AckMs: medianOf(rs, (r) => r.ack.p99Ms),
      serverCpuUsPerAck: medianOf(rs, (r) => r.serverCpuUsPerAck),
    };
  }
  return { scenario: "durable", sizes: size, rounds: all, inProcess, summary };
}

/** Runs the existing in-process benchmark as a child and returns the JSON it writes into `out`. */
async function runInProcess(seconds: number, rate: number, out: string): Promise<unknown> {
  log(`durable: in-process embedded-log benchmark (${seconds}s per run)`);
  const file = join(out, "durable-publish.json");
  const args = [IN_PROCESS, `--seconds=${seconds}`, `--rate=${rate}`, `--out=${file}`];
  const child = spawn(process.execPath, args, { stdio: "inherit" });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) return { error: `durable-publish exited with ${code}` };
  return JSON.parse(readFileSync(file, "utf8")) as unknown;
}
