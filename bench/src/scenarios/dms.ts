import { dmRoomId } from "@parley/protocol";
import type { LatencySummary } from "../histogram.js";
import type { ConnSpec } from "../load/messages.js";
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
}

export interface DmResult {
  scenario: "dms";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  rounds: Record<string, DmRound[]>;
  summary: Record<string, { p50Ms: number; p99Ms: number; serverCpuUsPerMsg: number; serverCores: number }>;
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
      const published = await gen.publish(everyone, size.users / size.everyS, size.windowMs);
      await sleep(300);
      const cpu = sampler.window();
      const rep = await gen.report();
      const round: DmRound = {
        published,
        delivered: rep.delivered,
        latency: rep.latency,
        serverCpuUsPerMsg: Math.round((cpu.cpuUs / Math.max(1, rep.delivered)) * 100) / 100,
        serverCores: cpu.cores,
      };
      log(`${name} dms: p50 ${round.latency.p50Ms} p99 ${round.latency.p99Ms} ms, ${round.serverCpuUsPerMsg} us/msg`);
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
    };
  }
  return { scenario: "dms", sizes: size, rounds: all, summary };
}
