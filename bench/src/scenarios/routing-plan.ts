/**
 * What the routing scenario measures at each scale (routing.ts): the clusters, the workloads each runs, the
 * timings, and which points the fit leaves out.
 */
import type { ModelPoint } from "../routing-model/routing-points.js";
import type { RoutingTopology } from "../systems/routing-cluster.js";
import type { Scale } from "./common.js";
import type { RoutingWorkload } from "./routing-workload.js";

/** One scale's plan: clusters, workloads, timings, and which points the fit leaves out. */
export interface RoutingPlan {
  topologies: RoutingTopology[];
  workloads: RoutingWorkload[];
  warmMs: number;
  windowMs: number;
  /** Added to the first workload's warm-up: a fresh broker's JIT is slow for its first seconds (kafka.ts). */
  brokerWarmMs: number;
  heldBack: (t: RoutingTopology, w: RoutingWorkload) => boolean;
  /** Appended to every point id (`-r1000` for `--rate=1000`), so points at another rate sit beside the plan's. */
  idSuffix?: string;
}

const everything = (gateways: number): RoutingTopology => ({
  gateways,
  routing: "everything",
  forwarding: null,
  redistributors: 0,
});
const redistributed = (gateways: number, forwarding: "kafka" | "direct"): RoutingTopology => ({
  gateways,
  routing: "redistributed",
  forwarding,
  redistributors: 1,
});

/** Rooms of each size, local and spread; `rates`: publishes/s over all rooms, per size. */
function workloads(connections: number, sizes: readonly number[], rates: readonly number[]): RoutingWorkload[] {
  return sizes.flatMap((roomSize, i) =>
    (["local", "spread"] as const).map((spread) => ({
      roomSize,
      spread,
      connections,
      publishesPerSec: rates[i] ?? 0,
      payloadBytes: 200,
    })),
  );
}

/**
 * Every routing for 1, 2, 4 and 8 gateways; held back: the spread rooms of 20 on 4 gateways, every routing.
 * Rooms of 2 get 200 publishes/s, rooms of 20 get 50 (1 000 deliveries/s): at one rate for all, an
 * `everything` gateway read the same records/s in every point and the fit could not tell a record's cost
 * from the idle cost (the run of 7 December 13:18).
 */
function plan(windowMs: number, warmMs: number, brokerWarmMs: number): RoutingPlan {
  return {
    topologies: [1, 2, 4, 8].flatMap((g) => [everything(g), redistributed(g, "kafka"), redistributed(g, "direct")]),
    workloads: workloads(800, [2, 20], [200, 50]),
    warmMs,
    windowMs,
    brokerWarmMs,
    heldBack: (t, w) => t.gateways === 4 && w.spread === "spread" && w.roomSize === 20,
  };
}

export const PLANS: Record<Scale, RoutingPlan> = {
  full: plan(20_000, 6_000, 15_000),
  quick: plan(10_000, 3_000, 8_000),
  // The smoke test: 1 and 2 gateways, both routings, each forwarding once, rooms of 2, a few seconds.
  toy: {
    topologies: [everything(1), redistributed(1, "kafka"), everything(2), redistributed(2, "direct")],
    workloads: workloads(24, [2], [20]),
    warmMs: 1_000,
    windowMs: 2_500,
    brokerWarmMs: 0,
    heldBack: (t, w) => t.gateways === 2 && w.spread === "spread",
  },
};

/** A cluster's name in point ids and logs, e.g. `g4-redistributed-direct`. */
export function topologyId(t: RoutingTopology): string {
  return `g${t.gateways}-${t.routing}${t.forwarding === null ? "" : `-${t.forwarding}`}`;
}

/** A point's id: its cluster and workload (and the plan's suffix). */
export function pointId(t: RoutingTopology, w: RoutingWorkload, suffix = ""): string {
  return `${topologyId(t)}-size${w.roomSize}-${w.spread}${suffix}`;
}

/**
 * `--rate=N`: the plan's clusters with rooms of 2 only (local and spread) at N publishes/s, ids suffixed
 * `-r<N>`, the spread ones on 4 gateways held back. The plan's own rates (50-200 events/s) put every record in
 * a fetch of its own, so the fit cannot see what a record costs once fetches carry batches; these points can.
 */
export function atRate(p: RoutingPlan, publishesPerSec: number): RoutingPlan {
  if (!(publishesPerSec > 0)) throw new Error(`--rate: ${publishesPerSec} is not a positive rate`);
  return {
    ...p,
    workloads: workloads(800, [2], [publishesPerSec]),
    heldBack: (t, w) => t.gateways === 4 && w.spread === "spread",
    idSuffix: `-r${publishesPerSec}`,
  };
}

/**
 * The plan narrowed to the clusters `only` names (`--clusters=g4-everything,…`), for measuring some clusters
 * again; every cluster when `only` is undefined.
 */
export function narrowed(p: RoutingPlan, only: readonly string[] | undefined): RoutingPlan {
  if (only === undefined) return p;
  const unknown = only.filter((id) => !p.topologies.some((t) => topologyId(t) === id));
  if (unknown.length > 0) throw new Error(`--clusters: no cluster ${unknown.join(", ")} in the plan`);
  return { ...p, topologies: p.topologies.filter((t) => only.includes(topologyId(t))) };
}

/**
 * `fresh` points with the `earlier` ones the fresh run did not measure again, in the plan's order, then the
 * earlier points of other plans (`--rate`) as they were: what a run of a few clusters writes over the results.
 */
export function merged(p: RoutingPlan, earlier: readonly ModelPoint[], fresh: readonly ModelPoint[]): ModelPoint[] {
  const order = p.topologies.flatMap((t) => p.workloads.map((w) => pointId(t, w, p.idSuffix)));
  const byId = new Map([...earlier, ...fresh].map((pt) => [pt.id, pt]));
  const inPlan = new Set(order);
  return [...order.flatMap((id) => byId.get(id) ?? []), ...earlier.filter((pt) => !inPlan.has(pt.id))];
}
