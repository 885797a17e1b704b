import type { LatencySummary } from "../histogram.js";
import { ALL_SYSTEMS, type SystemName } from "../wire/wire.js";
import {
  log,
  type Harness,
  medianOf,
  requireOpened,
  roomSpecs,
  rounds,
  sleep,
  withSystem,
  type BenchOptions,
} from "./common.js";

/** Sizes per scale: connections, room size, measured window per step, delivery-rate steps (msg/s). */
const SIZES = {
  full: {
    conns: 10_000,
    roomSize: 100,
    stepMs: 2_500,
    // Finer near the top, where the systems part: with 80k → 100k a ratio could only be 1.00× or 0.80×.
    steps: [10e3, 20e3, 40e3, 60e3, 80e3, 90e3, 100e3, 115e3, 130e3, 160e3, 200e3],
  },
  quick: { conns: 4_000, roomSize: 100, stepMs: 2_000, steps: [10e3, 20e3, 40e3, 60e3, 80e3, 100e3, 130e3] },
  toy: { conns: 20, roomSize: 10, stepMs: 600, steps: [200, 400] },
} as const;

export type FanoutSize = {
  conns: number;
  roomSize: number;
  stepMs: number;
  steps: readonly number[];
  /**
   * Unmeasured publishing at the first step's rate before the steps, long enough for every room to get a
   * publish: a room's first publish takes cold paths (and JIT), which would otherwise land in the first step
   * and use up its one retry. Absent: no warm-up (fan-out, whose 100 rooms warm within the first step).
   */
  warmupMs?: number;
};

/** p99 publish→deliver at which stepping stops. */
const P99_LIMIT_MS = 50;

/** A step passes with p99 publish→deliver within the limit and ≥ 99 % of the expected deliveries. */
export function stepPassed(step: FanoutStep): boolean {
  return step.latency.p99Ms <= P99_LIMIT_MS && step.completeness >= 0.99;
}

export interface FanoutStep {
  targetDeliveries: number;
  published: number;
  /**
   * Publishes acked in the step. With completeness below 1 it tells where
   * deliveries went: acked = published means the server stored them but did
   * not deliver live; fewer means publishes went unanswered (unsequenced).
   */
  acked: number;
  /** The first failures the generator saw (error frames, closes), if any. */
  failures: string[];
  deliveredPerSec: number;
  /** Delivered / (published × room size): below 1 means lost or cut-off recipients. */
  completeness: number;
  latency: LatencySummary;
  serverCpuUsPerMsg: number;
  serverCores: number;
}

export interface FanoutRound {
  steps: FanoutStep[];
  /** The best step within the p99 limit (undefined when even the first failed). */
  best: FanoutStep | undefined;
  peakRssKiB: number;
  connectMs: number;
}

export interface FanoutResult {
  scenario: "fanout" | "small-rooms";
  sizes: FanoutSize;
  rounds: Record<string, FanoutRound[]>;
  /** Per system: medians over rounds of the best step. */
  summary: Record<string, { deliveredPerSec: number; p99Ms: number; serverCpuUsPerMsg: number; peakRssKiB: number }>;
}

/** Scenario 1: steps the publish rate up until p99 publish→deliver passes 50 ms (rooms of 100). */
export function fanout(opts: BenchOptions): Promise<FanoutResult> {
  return steppedFanout(
    opts,
    SIZES[opts.scale],
    opts.systems.filter((s) => ALL_SYSTEMS.includes(s)),
  );
}

/**
 * Rooms of `size.roomSize` with one publisher each, the delivery rate stepped up until p99 passes the limit,
 * for `systems` in A B C rounds (also the small-rooms scenario, rooms of 10). `--steps`/`--step-ms` override.
 */
export async function steppedFanout(
  opts: BenchOptions,
  sizes: FanoutSize,
  systems: readonly SystemName[],
  scenario: FanoutResult["scenario"] = "fanout",
): Promise<FanoutResult> {
  const size = { ...sizes, ...(opts.steps && { steps: opts.steps }), ...(opts.stepMs && { stepMs: opts.stepMs }) };
  const all = await rounds(opts, systems, (name) =>
    withSystem(name, opts, async (h) => {
      const opened = await h.gen.open(name, h.sys.ports, roomSpecs(size.conns, size.roomSize));
      requireOpened(name, opened.ok, size.conns);
      log(`${name}: ${opened.ok} subscribed in ${opened.ms} ms`);
      const steps = await runSteps(h, size);
      const best = steps.filter(stepPassed).at(-1);
      return { steps, best, peakRssKiB: h.sampler.peakRssKiB(), connectMs: opened.ms };
    }),
  );
  const summary: FanoutResult["summary"] = {};
  for (const [name, rs] of Object.entries(all)) {
    summary[name] = {
      deliveredPerSec: medianOf(rs, (r) => r.best?.deliveredPerSec ?? 0),
      p99Ms: medianOf(rs, (r) => r.best?.latency.p99Ms ?? NaN),
      serverCpuUsPerMsg: medianOf(rs, (r) => r.best?.serverCpuUsPerMsg ?? NaN),
      peakRssKiB: medianOf(rs, (r) => r.peakRssKiB),
    };
  }
  return { scenario, sizes: size, rounds: all, summary };
}

/** One publisher per room (its first member); each step publishes for stepMs, then waits for stragglers. */
async function runSteps(h: Harness, size: FanoutSize): Promise<FanoutStep[]> {
  const rooms = Math.ceil(size.conns / size.roomSize);
  const pubs = Array.from({ length: rooms }, (_, r) => r * size.roomSize);
  const steps: FanoutStep[] = [];
  let retried = false;
  const queue = [...size.steps];
  const first = queue[0];
  if (size.warmupMs && first !== undefined) {
    await h.gen.publish(pubs, first / size.roomSize, size.warmupMs);
    await sleep(500);
  }
  for (let target = queue.shift(); target !== undefined; target = queue.shift()) {
    await h.gen.measure();
    h.sampler.start();
    const published = await h.gen.publish(pubs, target / size.roomSize, size.stepMs);
    await sleep(Math.min(500, size.stepMs));
    const cpu = h.sampler.window();
    const rep = await h.gen.report();
    const step: FanoutStep = {
      targetDeliveries: target,
      published,
      acked: rep.acked,
      failures: rep.failures.slice(0, 5),
      deliveredPerSec: Math.round(rep.delivered / (size.stepMs / 1000)),
      completeness: Math.round((rep.delivered / Math.max(1, published * size.roomSize)) * 1000) / 1000,
      latency: rep.latency,
      serverCpuUsPerMsg: Math.round((cpu.cpuUs / Math.max(1, rep.delivered)) * 100) / 100,
      serverCores: cpu.cores,
    };
    steps.push(step);
    log(
      `${h.sys.name} ${target}/s: delivered ${step.deliveredPerSec}/s p99 ${step.latency.p99Ms} ms cpu ${step.serverCpuUsPerMsg} us/msg (${step.completeness}; acked ${step.acked}/${published})`,
    );
    if (!stepPassed(step)) {
      // Other jobs share this machine: a step that fails is run once more before the stepping ends.
      if (retried) break;
      retried = true;
      queue.unshift(target);
      await sleep(1_500);
    }
    // Let backlogs drain so one step does not bleed into the next.
    await sleep(300);
  }
  return steps;
}
