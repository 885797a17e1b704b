import { spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { log, type BenchOptions } from "./common.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const SCRIPT = `${ROOT}packages/server/dist-test/bench/commit-floor.js`;

/** Events committed per point (after a warm-up of as many). */
const EVENTS = { full: 40_000, quick: 20_000, toy: 2_000 } as const;

/** One measured point of packages/server/test/bench/commit-floor.ts. */
export interface FloorPoint {
  readonly shape: "dms" | "durable";
  readonly rooms: number;
  readonly batch: number;
  readonly schema: "full" | "events only";
  readonly cpuUsPerEvent: number;
  readonly userUsPerEvent: number;
  readonly systemUsPerEvent: number;
  readonly wallUsPerEvent: number;
  readonly walFramesPerEvent: number;
}

export interface CommitFloorResult {
  scenario: "commit-floor";
  events: number;
  points: FloorPoint[];
  rounds: Record<string, never>;
}

/**
 * The embedded writer's commit alone, per event, for the batch shapes of DMs and the durable closed loop
 * (no server, no sockets): the least CPU the store's durable commit takes, which the DMs and durable targets
 * must fit beside everything else a publish costs.
 */
export async function commitFloor(opts: BenchOptions): Promise<CommitFloorResult> {
  const events = EVENTS[opts.scale];
  log(`commit-floor: the writer's SQL on a fresh database, ${events} events per point`);
  const file = join(opts.out, "commit-floor-points.json");
  const child = spawn(process.execPath, [SCRIPT, `--events=${events}`, `--out=${file}`], { stdio: "inherit" });
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`commit-floor exited with ${code}`);
  const { points } = JSON.parse(readFileSync(file, "utf8")) as { points: FloorPoint[] };
  rmSync(file);
  return { scenario: "commit-floor", events, points, rounds: {} };
}
