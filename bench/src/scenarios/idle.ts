import { rssKiB } from "../proc-stats.js";
import { ALL_SYSTEMS } from "../wire/wire.js";
import { log, medianOf, requireOpened, roomSpecs, rounds, sleep, withSystem, type BenchOptions } from "./common.js";

const COUNTS = { full: [10_000, 19_000], quick: [5_000], toy: [20] } as const;
/** Time for the server to settle after the last subscription (timers, GC). */
const SETTLE_MS = { full: 3_000, quick: 2_000, toy: 300 } as const;
/** Window over which the idle server's CPU is measured (two heartbeat intervals at Parley's default). */
const CPU_WINDOW_MS = { full: 10_000, quick: 5_000, toy: 300 } as const;

export interface IdleRound {
  connections: number;
  rssKiBPerConn: number;
  heapKiBPerConn: number | undefined;
  baseRssKiB: number;
  rssKiB: number;
  /** Share of one core the server used while the connections sat idle (heartbeats, timers). */
  idleCores: number;
}

export interface IdleResult {
  scenario: "idle";
  counts: readonly number[];
  rounds: Record<string, IdleRound[]>;
  summary: Record<string, Record<string, { rssKiBPerConn: number; heapKiBPerConn: number; idleCores: number }>>;
}

/** Scenario 4: RSS and heap per subscribed idle connection (rooms of 100), over the empty server's baseline. */
export async function idle(opts: BenchOptions): Promise<IdleResult> {
  const counts = COUNTS[opts.scale];
  const systems = ALL_SYSTEMS.filter((s) => opts.systems.includes(s));
  const all: Record<string, IdleRound[]> = {};
  for (const n of counts) {
    // Memory after connect is steady from round to round, unlike throughput: one round keeps `all` under 15 min.
    const res = await rounds({ ...opts, rounds: 1 }, systems, (name) =>
      withSystem(name, opts, async ({ sys, gen, sampler }) => {
        await sleep(SETTLE_MS[opts.scale]);
        await sys.collectGarbage();
        const baseRss = rssKiB(sys.pid);
        const baseHeap = await sys.heapUsed();
        const opened = await gen.open(name, sys.port, roomSpecs(n, 100));
        requireOpened(name, opened.ok, n);
        await sleep(SETTLE_MS[opts.scale]);
        sampler.start();
        await sleep(CPU_WINDOW_MS[opts.scale]);
        const idleCores = sampler.window().cores;
        await sys.collectGarbage();
        const rss = rssKiB(sys.pid);
        const heap = await sys.heapUsed();
        const perConn = (before: number, after: number) => Math.round(((after - before) / n) * 100) / 100;
        const round: IdleRound = {
          connections: n,
          rssKiBPerConn: perConn(baseRss, rss),
          heapKiBPerConn:
            heap !== undefined && baseHeap !== undefined ? perConn(baseHeap / 1024, heap / 1024) : undefined,
          baseRssKiB: baseRss,
          rssKiB: rss,
          idleCores,
        };
        log(
          `${name} idle ${n}: ${round.rssKiBPerConn} KiB RSS/conn, heap ${round.heapKiBPerConn ?? "-"} KiB/conn, ${idleCores} cores idle`,
        );
        return round;
      }),
    );
    for (const [name, rs] of Object.entries(res)) (all[name] ??= []).push(...rs);
  }
  const summary: IdleResult["summary"] = {};
  for (const [name, rs] of Object.entries(all)) {
    for (const n of counts) {
      const at = rs.filter((r) => r.connections === n);
      (summary[name] ??= {})[String(n)] = {
        rssKiBPerConn: medianOf(at, (r) => r.rssKiBPerConn),
        heapKiBPerConn: medianOf(at, (r) => r.heapKiBPerConn ?? NaN),
        idleCores: medianOf(at, (r) => r.idleCores),
      };
    }
  }
  return { scenario: "idle", counts, rounds: all, summary };
}
