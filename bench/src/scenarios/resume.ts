import { Generator } from "../load/generator.js";
import type { ResumeResult } from "../load/messages.js";
import type { SystemName } from "../wire/wire.js";
import { log, medianOf, requireOpened, roomSpecs, rounds, sleep, withSystem, type BenchOptions } from "./common.js";

const SIZES = {
  full: { clients: 10_000, roomSize: 100, missed: 50 },
  quick: { clients: 4_000, roomSize: 100, missed: 50 },
  toy: { clients: 20, roomSize: 10, missed: 5 },
} as const;

/** Parley builds a resume runs: the default one, and the baseline build when `--baseline` is given. */
const PARLEY_BUILDS: readonly SystemName[] = ["parley", "parley-base"];

export interface ResumeRound extends ResumeResult {
  publishMs: number;
  /** Server CPU (user + system) from the reconnect until the last client caught up. */
  serverCpuMs: number;
}

export interface ResumeOutcome {
  scenario: "resume";
  sizes: (typeof SIZES)[keyof typeof SIZES];
  rounds: Record<string, ResumeRound[]>;
  summary: Record<string, { catchUpMs: number; p50Ms: number; caughtUp: number; serverCpuMs: number }>;
}

/**
 * Scenario 5 (Parley only, and its baseline build for an A/B; the peers have no resume): every client drops, each
 * room moves on `missed` events, then all reconnect at once with their last
 * seq; measured until the last client has seen its room's new head.
 */
export async function resume(opts: BenchOptions): Promise<ResumeOutcome> {
  const size = SIZES[opts.scale];
  const rooms = Math.ceil(size.clients / size.roomSize);
  const systems = PARLEY_BUILDS.filter((n) => n === "parley" || opts.systems.includes(n));
  const all = await rounds(opts, systems, (name) =>
    withSystem(name, opts, async ({ sys, gen, sampler }) => {
      const opened = await gen.open(name, sys.port, roomSpecs(size.clients, size.roomSize));
      requireOpened(name, opened.ok, size.clients);
      const heads = await gen.heads();
      await gen.drop();
      const publishMs = await moveRooms(sys.port, rooms, size.missed);
      const targets: Record<string, number> = {};
      for (let r = 0; r < rooms; r++) targets[`r${r}`] = (heads[`r${r}`] ?? 0) + size.missed;
      sampler.start();
      const res = await gen.resume(targets, 60_000);
      const serverCpuMs = Math.round(sampler.window().cpuUs / 1000);
      log(
        `resume: ${res.caughtUp}/${res.total} caught up; slowest ${res.maxMs} ms, p50 ${res.p50Ms} ms; server CPU ${serverCpuMs} ms`,
      );
      return { ...res, publishMs, serverCpuMs };
    }),
  );
  const summary: ResumeOutcome["summary"] = {};
  for (const [name, rs] of Object.entries(all)) {
    summary[name] = {
      catchUpMs: medianOf(rs, (r) => r.maxMs),
      p50Ms: medianOf(rs, (r) => r.p50Ms),
      caughtUp: medianOf(rs, (r) => r.caughtUp / r.total),
      serverCpuMs: medianOf(rs, (r) => r.serverCpuMs),
    };
  }
  return { scenario: "resume", sizes: size, rounds: all, summary };
}

/** Publishes `missed` events to every room from one publisher per room; resolves once all are acked. */
async function moveRooms(port: number, rooms: number, missed: number): Promise<number> {
  const start = performance.now();
  const pubGen = new Generator(1);
  try {
    const opened = await pubGen.open("parley", port, roomSpecs(rooms, 1, "p"));
    requireOpened("publishers", opened.ok, rooms);
    await pubGen.measure();
    const pubs = Array.from({ length: rooms }, (_, i) => i);
    await pubGen.publish(pubs, rooms * missed, 1_000);
    for (let i = 0; i < 200 && (await pubGen.report()).acked < rooms * missed; i++) await sleep(50);
  } finally {
    await pubGen.close();
  }
  return Math.round(performance.now() - start);
}
