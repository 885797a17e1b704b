/**
 * The routing bench's workloads: rooms of one size whose members sit either on one gateway (`local`) or
 * dealt over the gateways in turn (`spread`), one publisher per room. The cost model reads the same layout
 * (bench/src/routing-model/point-model.ts, pointFraction): keep the two in step.
 */
import type { ConnSpec } from "../load/messages.js";

/** One workload: rooms of `roomSize` members, `connections` in all, `publishesPerSec` over every room. */
export interface RoutingWorkload {
  readonly roomSize: number;
  readonly spread: "local" | "spread";
  readonly connections: number;
  readonly publishesPerSec: number;
  readonly payloadBytes: number;
}

/** Rooms of the workload (its connections fill whole rooms). */
export function roomsOf(w: RoutingWorkload): number {
  return Math.floor(w.connections / w.roomSize);
}

/**
 * The connections, room by room: room r's member j is on gateway r mod G (`local`) or (r + j) mod G
 * (`spread`: a room touches min(n, G) gateways). Rooms are dealt to gateways evenly, so each gateway holds
 * the same number of connections when G divides the rooms. `prefix` keeps one workload's rooms apart from
 * every other's on the same cluster.
 */
export function workloadSpecs(w: RoutingWorkload, gateways: number, prefix: string): ConnSpec[] {
  const specs: ConnSpec[] = [];
  for (let r = 0; r < roomsOf(w); r++) {
    for (let j = 0; j < w.roomSize; j++) {
      const gateway = w.spread === "local" ? r % gateways : (r + j) % gateways;
      specs.push({ user: `${prefix}u${r}.${j}`, room: `${prefix}r${r}`, gateway });
    }
  }
  return specs;
}

/** The publishing connections (member 0 of every room), as indexes into workloadSpecs' list. */
export function publishers(w: RoutingWorkload): number[] {
  return Array.from({ length: roomsOf(w) }, (_, r) => r * w.roomSize);
}
