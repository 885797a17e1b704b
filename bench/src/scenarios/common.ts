import { Generator } from "../load/generator.js";
import type { ConnSpec } from "../load/messages.js";
import { ProcSampler } from "../proc-stats.js";
import type { StartOptions } from "../systems/parley-process.js";
import { startSystem } from "../systems/start-system.js";
import type { RunningSystem } from "../systems/system.js";
import type { SystemName } from "../wire/wire.js";

/** How big a run is: `full` (the issue's sizes), `quick`, or `toy` (smoke test). */
export type Scale = "full" | "quick" | "toy";

/** What run.ts writes beside every scenario's result: the machine it ran on (absent until it is written). */
export interface RecordedOn {
  readonly machine?: { readonly cpus: number };
}

export interface BenchOptions {
  readonly scale: Scale;
  readonly rounds: number;
  readonly workers: number;
  readonly systems: readonly SystemName[];
  /** `--systems` was given: scenarios with their own default set (small-rooms) take `systems` as is. */
  readonly systemsGiven?: boolean;
  readonly start: StartOptions;
  /** Directory the results go to (the in-process durable bench writes its JSON there too). */
  readonly out: string;
  /** Fan-out delivery-rate steps instead of the scale's (`--steps=10000,80000`), e.g. to profile one rate. */
  readonly steps?: readonly number[];
  /** Measured window per fan-out step instead of the scale's (`--step-ms=N`). */
  readonly stepMs?: number;
  /** The kafka scenario's parts to run (`--kafka-parts=durable,dms`); all when absent. */
  readonly kafkaParts?: readonly KafkaPart[];
  /** The routing scenario's clusters to measure again (`--clusters=g4-everything,…`); all when absent. */
  readonly routingClusters?: readonly string[];
  /** The routing scenario at this publish rate, rooms of 2, added to the results (`--rate=1000`; routing-plan.ts). */
  readonly routingRate?: number;
}

/** The kafka scenario's parts, in run order. */
export const KAFKA_PARTS = ["fanout", "durable", "dms", "idle"] as const;
export type KafkaPart = (typeof KAFKA_PARTS)[number];

/** What a scenario run gets: the running system, its sampler and a generator. */
export interface Harness {
  readonly sys: RunningSystem;
  readonly sampler: ProcSampler;
  readonly gen: Generator;
}

/** Starts `name`, runs `fn` against it with a fresh generator, and always stops both. */
export async function withSystem<T>(name: SystemName, opts: BenchOptions, fn: (h: Harness) => Promise<T>): Promise<T> {
  const sys = await startSystem(name, opts.start);
  // Every process of the system counts (a split cluster is four).
  const sampler = new ProcSampler(sys.processes.map((p) => p.pid));
  // The pids let a profiler attach for one step (`perf record -p`).
  log(
    `${name} server pid ${sys.processes.map((p) => (p.role === "server" ? p.pid : `${p.pid} (${p.role})`)).join(", ")}`,
  );
  const gen = new Generator(opts.workers);
  try {
    // A round measures the system at rest, not its catching up with the rounds before (a Kafka-mode sink).
    const backlog = await sys.caughtUp?.();
    if (backlog && backlog.behind > 0) log(`${name} caught up ${backlog.behind} records in ${backlog.ms} ms`);
    return await fn({ sys, sampler, gen });
  } finally {
    sampler.stop();
    await gen.close();
    await sys.stop();
  }
}

/** Runs `once` for every system in A B C A B C order; returns each system's per-round results. */
export async function rounds<T>(
  opts: BenchOptions,
  systems: readonly SystemName[],
  once: (name: SystemName, round: number) => Promise<T>,
): Promise<Record<string, T[]>> {
  const out: Record<string, T[]> = {};
  for (let r = 0; r < opts.rounds; r++) {
    for (const name of systems) {
      log(`round ${r + 1}/${opts.rounds}: ${name}`);
      (out[name] ??= []).push(await once(name, r));
    }
  }
  return out;
}

/** Connections in rooms of `roomSize`: connection i is user u<i> in room r<i / roomSize>. */
export function roomSpecs(count: number, roomSize: number, prefix = "u"): ConnSpec[] {
  return Array.from({ length: count }, (_, i) => ({ user: `${prefix}${i}`, room: `r${Math.floor(i / roomSize)}` }));
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const upper = s[mid];
  if (upper === undefined) return NaN; // no values
  return s.length % 2 ? upper : ((s[mid - 1] ?? upper) + upper) / 2;
}

/** Median of a numeric field over rounds, rounded to 2 decimals. */
export function medianOf<T>(items: readonly T[], f: (t: T) => number): number {
  return Math.round(median(items.map(f)) * 100) / 100;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function log(msg: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** Fails loudly when too few connections came up, so a broken peer never yields a flattering number. */
export function requireOpened(name: string, ok: number, wanted: number): void {
  if (ok < wanted * 0.99) throw new Error(`${name}: only ${ok} of ${wanted} connections subscribed`);
}
