import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { LatencySummary } from "../histogram.js";
import { jitCpuUs, ProcSampler } from "../proc-stats.js";
import type { SystemProcess } from "../systems/system.js";
import type { SystemName } from "../wire/wire.js";
import {
  log,
  medianOf,
  requireOpened,
  rounds,
  sleep,
  withSystem,
  type BenchOptions,
  type RecordedOn,
} from "./common.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const IN_PROCESS = `${ROOT}packages/server/dist-test/bench/durable-publish.js`;

/** The Parley builds durable publish runs, those of them in `--systems` (default: Parley alone). */
const DURABLE_SYSTEMS: SystemName[] = [
  "parley",
  "parley-base",
  "parley-kafka",
  "parley-kafka-base",
  "parley-kafka-split",
];

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
  /** Server CPU per acked publish in the closed loop (summed over every process of the system): steadier than msg/s on a shared machine. */
  serverCpuUsPerAck: number;
  /** The same per process role, for a system of several (`parley-kafka-split`: sequencer, sink, gateway ×2). */
  cpuUsPerAckByRole?: Record<string, number>;
  /** The broker's CPU per acked publish in the closed loop (Kafka-mode systems, when the run started the broker). */
  brokerCpuUsPerAck?: number;
  /** Of brokerCpuUsPerAck, its JVM's JIT compiler threads (a fresh broker's one-time cost, proc-stats.ts jitCpuUs). */
  brokerJitCpuUsPerAck?: number;
  /**
   * The server's main thread (event loop) per acked publish, for a system of one process; the rest of
   * serverCpuUsPerAck is its other threads (the embedded log's writer thread, V8's compiler and GC helpers).
   */
  mainThreadCpuUsPerAck?: number;
  /** The whole machine's busy CPU per acked publish (server, generator, broker, PostgreSQL, kernel, anything else). */
  machineCpuUsPerAck: number;
  /** Cores the whole machine kept busy in the closed loop (the box's core count when it is saturated). */
  machineCores: number;
  /**
   * Kafka mode: records its consumers (the sink above all) were behind when the closed loop ended, and how
   * long they took to catch up after it (the lag is read at most every 2 s, so up to 2 s late). A sink that
   * writes PostgreSQL slower than the loop acks leaves this behind: the acked rate is then not sustained.
   */
  caughtUp?: { readonly behind: number; readonly ms: number };
}

export interface DurableResult extends RecordedOn {
  scenario: "durable";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  rounds: Record<string, DurableRound[]>;
  /** The existing in-process benchmark of the embedded log (packages/server/test/bench/durable-publish.ts). */
  inProcess: unknown;
  summary: Record<
    string,
    {
      ackedPerSec: number;
      p50AckMs: number;
      p99AckMs: number;
      serverCpuUsPerAck: number;
      brokerCpuUsPerAck?: number;
      brokerJitCpuUsPerAck?: number;
      mainThreadCpuUsPerAck?: number;
      machineCpuUsPerAck?: number;
      machineCores?: number;
    }
  >;
}

/**
 * Scenario 3: acked-after-commit publishes through the real server (each publisher alone in its room).
 * `inProcess: false` leaves out the in-process benchmark of the embedded log (the kafka scenario does).
 */
export async function durable(opts: BenchOptions, { inProcess: withInProcess = true } = {}): Promise<DurableResult> {
  const size = SIZES[opts.scale];
  const systems = opts.systems.filter((n) => DURABLE_SYSTEMS.includes(n));
  if (systems.length === 0) systems.push("parley");
  const embedded = withInProcess && systems.includes("parley") && size.inProcessSeconds > 0;
  const inProcess = embedded ? await runInProcess(size.inProcessSeconds, size.rate, opts.out) : undefined;
  const all = await rounds(opts, systems, (name) =>
    withSystem(name, opts, async ({ sys, gen, sampler }) => {
      const brokerPid = name.startsWith("parley-kafka") ? opts.start.cluster?.brokerPid : undefined;
      const broker = brokerPid === undefined ? undefined : new ProcSampler(brokerPid);
      const specs = Array.from({ length: size.publishers }, (_, i) => ({ user: `p${i}`, room: `d${i}` }));
      const opened = await gen.open(name, sys.ports, specs);
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
      broker?.start();
      const jit0 = brokerPid === undefined ? 0 : jitCpuUs(brokerPid);
      await gen.closedLoop(pubs, size.window, size.seconds * 1000);
      await sleep(200);
      const cpu = sampler.window();
      const { mainThreadUs, machineUs, machineCores } = sampler.threadsAndMachine();
      const byProcess = sampler.cpuByProcess();
      const brokerCpu = broker?.window().cpuUs;
      const brokerJit = brokerPid === undefined ? undefined : jitCpuUs(brokerPid) - jit0;
      broker?.stop();
      const closed = await gen.report();
      const caughtUp = await sys.caughtUp?.();
      const perAck = (us: number) => Math.round((us / Math.max(1, closed.acked)) * 100) / 100;
      const round: DurableRound = {
        ackedPerSec: Math.round(closed.acked / size.seconds),
        closedAck: closed.ack,
        ack: open.ack,
        achievedRate: Math.round(sent / size.seconds),
        serverCpuUsPerAck: perAck(cpu.cpuUs),
        ...(sys.processes.length > 1 && { cpuUsPerAckByRole: byRole(sys.processes, byProcess.map(perAck)) }),
        ...(brokerCpu !== undefined && { brokerCpuUsPerAck: perAck(brokerCpu) }),
        ...(brokerJit !== undefined && { brokerJitCpuUsPerAck: perAck(brokerJit) }),
        ...(sys.processes.length === 1 && { mainThreadCpuUsPerAck: perAck(mainThreadUs) }),
        machineCpuUsPerAck: perAck(machineUs),
        machineCores,
        ...(caughtUp && { caughtUp }),
      };
      const behind = caughtUp
        ? `; consumers ${caughtUp.behind} records behind at its end, caught up ${caughtUp.ms} ms later`
        : "";
      log(
        `durable ${name}: ${round.ackedPerSec} acked/s (server ${round.serverCpuUsPerAck} µs CPU per ack${round.mainThreadCpuUsPerAck === undefined ? "" : ` of which main thread ${round.mainThreadCpuUsPerAck}`}${brokerCpu === undefined ? "" : `, broker ${round.brokerCpuUsPerAck} of which JIT ${round.brokerJitCpuUsPerAck}`}; machine ${round.machineCpuUsPerAck} µs per ack, ${machineCores} cores busy); at ${size.rate}/s p99 ack ${round.ack.p99Ms} ms${behind}`,
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
      ...(rs.some((r) => r.brokerCpuUsPerAck !== undefined) && {
        brokerCpuUsPerAck: medianOf(rs, (r) => r.brokerCpuUsPerAck ?? NaN),
        brokerJitCpuUsPerAck: medianOf(rs, (r) => r.brokerJitCpuUsPerAck ?? NaN),
      }),
      ...(rs.some((r) => r.mainThreadCpuUsPerAck !== undefined) && {
        mainThreadCpuUsPerAck: medianOf(rs, (r) => r.mainThreadCpuUsPerAck ?? NaN),
      }),
      machineCpuUsPerAck: medianOf(rs, (r) => r.machineCpuUsPerAck),
      machineCores: medianOf(rs, (r) => r.machineCores),
    };
  }
  return { scenario: "durable", sizes: size, rounds: all, inProcess, summary };
}

/** Per role, the sum of its processes' values (two gateways are one `gateway` entry). */
function byRole(processes: readonly SystemProcess[], values: readonly number[]): Record<string, number> {
  const out: Record<string, number> = {};
  processes.forEach((p, i) => (out[p.role] = Math.round(((out[p.role] ?? 0) + (values[i] ?? 0)) * 100) / 100));
  return out;
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
