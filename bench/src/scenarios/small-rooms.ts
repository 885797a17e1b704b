import { ALL_SYSTEMS, type SystemName } from "../wire/wire.js";
import { log, type BenchOptions } from "./common.js";
import { steppedFanout, type FanoutResult, type FanoutSize } from "./fanout.js";

/**
 * Rooms of 10 (issue 18): with ten recipients a publish, not the fan-out, is most of the cost. The same
 * stepping as fan-out, finer where the systems part, from 5k: with the two cores shared, 10k can already fail.
 * The warm-up (2 s at the first rate: 1 000 publishes, one per room) runs every room's first publish unmeasured.
 */
const SIZES: Record<BenchOptions["scale"], FanoutSize> = {
  full: {
    conns: 10_000,
    roomSize: 10,
    stepMs: 2_500,
    warmupMs: 2_000,
    steps: [5e3, 10e3, 20e3, 30e3, 40e3, 50e3, 60e3, 70e3, 80e3, 90e3, 100e3, 115e3, 130e3],
  },
  // The scenario is the shape (1 000 rooms of 10), so quick keeps it and only shortens the steps.
  quick: {
    conns: 10_000,
    roomSize: 10,
    stepMs: 2_000,
    steps: [5e3, 10e3, 20e3, 30e3, 40e3, 50e3, 60e3, 70e3, 80e3, 100e3],
  },
  toy: { conns: 20, roomSize: 10, stepMs: 600, warmupMs: 300, steps: [200, 400] },
};

/** What small-rooms compares unless `--systems` says otherwise: Centrifugo is the reference peer. */
export const SMALL_ROOMS_SYSTEMS: readonly SystemName[] = ["parley", "ws", "centrifugo", "nats", "socketio"];

/** The targets: Parley's rate over each peer's, in the same run. */
export const SMALL_ROOMS_TARGETS: Readonly<Record<string, number>> = { centrifugo: 1.0, ws: 0.8 };

/** As stored: the runner adds when it ran and at what scale. */
export type SmallRoomsResult = FanoutResult & { scenario: "small-rooms"; at?: string; scale?: BenchOptions["scale"] };

/** Rooms of 10, 10 000 subscribers: delivered msg/s at p99 ≤ 50 ms and server CPU per delivery, per system. */
export async function smallRooms(opts: BenchOptions): Promise<SmallRoomsResult> {
  const wanted = opts.systemsGiven ? opts.systems : withBaseline(opts);
  const systems = ALL_SYSTEMS.filter((s) => wanted.includes(s));
  const result = await steppedFanout(opts, SIZES[opts.scale], systems, "small-rooms");
  const parley = result.summary["parley"]?.deliveredPerSec;
  for (const [name, v] of Object.entries(result.summary)) {
    if (name !== "parley" && parley !== undefined) {
      log(`small-rooms: parley ÷ ${name} = ${(parley / Math.max(1, v.deliveredPerSec)).toFixed(2)}×`);
    }
  }
  return { ...result, scenario: "small-rooms" };
}

/** The default set, with the `--baseline` build beside Parley when one is given. */
function withBaseline(opts: BenchOptions): readonly SystemName[] {
  return opts.start.baselineCli ? [...SMALL_ROOMS_SYSTEMS, "parley-base"] : SMALL_ROOMS_SYSTEMS;
}
