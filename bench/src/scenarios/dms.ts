import { dmRoomId } from "@parley/protocol";
import type { LatencySummary } from "../histogram.js";
import type { ConnSpec } from "../load/messages.js";
import { diskWriteBytes } from "../proc-stats.js";
import { ALL_SYSTEMS } from "../wire/wire.js";
import { log, medianOf, requireOpened, rounds, sleep, withSystem, type BenchOptions } from "./common.js";

/**
 * Users (two per DM), seconds between one user's messages, measured window, and an unmeasured warm-up at
 * the same rate before it. Without the warm-up the window held V8's first optimising compiles of the
 * publish path (its helper threads: ~30 µs of Parley's CPU per delivered message, docs/performance.md,
 * "Changes, one at a time", 6) and every DM's first message; a running server pays both once.
 */
const SIZES = {
  full: { users: 10_000, everyS: 4, windowMs: 6_000, warmupMs: 3_000 },
  quick: { users: 4_000, everyS: 4, windowMs: 5_000, warmupMs: 3_000 },
  toy: { users: 20, everyS: 1, windowMs: 1_000, warmupMs: 0 },
} as const;

export interface DmRound {
  published: number;
  delivered: number;
  latency: LatencySummary;
  serverCpuUsPerMsg: number;
  serverCores: number;
  /** Parley's main thread (event loop) per delivered message; the rest is its other threads (writer, V8). */
  mainThreadCpuUsPerMsg?: number;
  /** Bytes the server wrote to storage per delivered message (its database's WAL and checkpoints). */
  diskBytesPerMsg: number;
}

export interface DmResult {
  scenario: "dms";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  rounds: Record<string, DmRound[]>;
  summary: Record<
    string,
    {
      p50Ms: number;
      p99Ms: number;
      serverCpuUsPerMsg: number;
      serverCores: number;
      mainThreadCpuUsPerMsg?: number;
      diskBytesPerMsg?: number;
    }
  >;
}

/** Bytes every process of a system has written to storage so far. */
function diskBytes(processes: readonly { pid: number }[]): number {
  return processes.reduce((a, p) => a + diskWriteBytes(p.pid), 0);
}

/** Users 2k and 2k+1 share a DM room (Parley's canonical dm:<a>:<b> id, used as is by every system). */
function dmSpecs(users: number): ConnSpec[] {
  return Array.from({ length: users }, (_, i) => {
    const a = `u${i - (i % 2)}`;
    const b = `u${i - (i % 2) + 1}`;
    return { user: `u${i}`, room: dmRoomId(a, b) };
  });
}

/** Scenario 2: every user sends to its DM every few seconds; both members receive it. */
export async function dms(opts: BenchOptions): Promise<DmResult> {
  const size = SIZES[opts.scale];
  const systems = opts.systems.filter((s) => ALL_SYSTEMS.includes(s));
  const all = await rounds(opts, systems, (name) =>
    withSystem(name, opts, async ({ sys, gen, sampler }) => {
      const opened = await gen.open(name, sys.ports, dmSpecs(size.users));
      requireOpened(name, opened.ok, size.users);
      const everyone = Array.from({ length: size.users }, (_, i) => i);
      if (size.warmupMs > 0) {
        await gen.publish(everyone, size.users / size.everyS, size.warmupMs);
        await sleep(300);
      }
      await gen.measure();
      sampler.start();
      const disk0 = diskBytes(sys.processes);
      const published = await gen.publish(everyone, size.users / size.everyS, size.windowMs);
      await sleep(300);
      const cpu = sampler.window();
      const { mainThreadUs } = sampler.threadsAndMachine();
      const rep = await gen.report();
      const perMsg = (n: number) => Math.round((n / Math.max(1, rep.delivered)) * 100) / 100;
      const round: DmRound = {
        published,
        delivered: rep.delivered,
        latency: rep.latency,
        serverCpuUsPerMsg: perMsg(cpu.cpuUs),
        serverCores: cpu.cores,
        // Go and multi-process peers have no one event-loop thread to name.
        ...(name === "parley" && { mainThreadCpuUsPerMsg: perMsg(mainThreadUs) }),
        diskBytesPerMsg: Math.round(perMsg(diskBytes(sys.processes) - disk0)),
      };
      log(
        `${name} dms: p50 ${round.latency.p50Ms} p99 ${round.latency.p99Ms} ms, ${round.serverCpuUsPerMsg} us/msg${round.mainThreadCpuUsPerMsg === undefined ? "" : ` (main thread ${round.mainThreadCpuUsPerMsg})`}, ${round.diskBytesPerMsg} bytes written per msg`,
      );
      return round;
    }),
  );
  const summary: DmResult["summary"] = {};
  for (const [name, rs] of Object.entries(all)) {
    summary[name] = {
      p50Ms: medianOf(rs, (r) => r.latency.p50Ms),
      p99Ms: medianOf(rs, (r) => r.latency.p99Ms),
      serverCpuUsPerMsg: medianOf(rs, (r) => r.serverCpuUsPerMsg),
      serverCores: medianOf(rs, (r) => r.serverCores),
      ...(rs.some((r) => r.mainThreadCpuUsPerMsg !== undefined) && {
        mainThreadCpuUsPerMsg: medianOf(rs, (r) => r.mainThreadCpuUsPerMsg ?? NaN),
      }),
      diskBytesPerMsg: medianOf(rs, (r) => r.diskBytesPerMsg),
    };
  }
  return { scenario: "dms", sizes: size, rounds: all, summary };
}
