/**
 * Predictions at scale (issue 15): up to 1 000 gateways and 10 million connections, rooms whose sizes follow a
 * Zipf law, and the crossover (gateways × room spread) below which redistributed routing wins.
 *
 * The workload: N = 10 000 000 connections, each a member of 5 rooms on average (50 M memberships); a room has
 * n members with probability ∝ n^−s, 2 ≤ n ≤ 10 000; the room count is memberships ÷ mean size (so it depends
 * on s); every member posts once an hour in each of its rooms, but no room more than once in 5 s (a room's rate
 * ∝ its size up to 720 members); 200-byte payloads. Connections are split evenly over G gateways. Spread σ: the share of rooms
 * whose members land on gateways at random; the rest are local (on as few gateways as hold them).
 */
import type { Calibration } from "@parley/server/routing/calibration.js";
import { chooseRouting, predict, type Forwarding, type RoutingPrediction } from "@parley/server/routing/cost-model.js";
import { neededFraction, type RoomClass } from "@parley/server/routing/room-spread.js";

export const SCALE = {
  connections: 10_000_000,
  roomsPerConnection: 5,
  minRoom: 2,
  maxRoom: 10_000,
  postsPerMemberPerSec: 1 / 3600,
  maxRoomPostsPerSec: 0.2,
  payloadBytes: 200,
  exponents: [1.5, 2.5],
  gateways: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1000],
} as const;

/** Rooms of each size 2 … 10 000 under the Zipf exponent, with their event rates. */
export function zipfRooms(exponent: number): { classes: RoomClass[]; rooms: number; eventsPerSec: number } {
  const sizes = Array.from({ length: SCALE.maxRoom - SCALE.minRoom + 1 }, (_, i) => i + SCALE.minRoom);
  const weights = sizes.map((n) => n ** -exponent);
  const total = weights.reduce((a, b) => a + b, 0);
  const meanSize = sizes.reduce((s, n, i) => s + n * (weights[i] ?? 0), 0) / total;
  const memberships = SCALE.connections * SCALE.roomsPerConnection;
  const rooms = memberships / meanSize;
  const classes = sizes.map((n, i) => ({
    members: n,
    rooms: (rooms * (weights[i] ?? 0)) / total,
    eventsPerSecPerRoom: Math.min(SCALE.maxRoomPostsPerSec, n * SCALE.postsPerMemberPerSec),
  }));
  return { classes, rooms, eventsPerSec: classes.reduce((sum, c) => sum + c.rooms * c.eventsPerSecPerRoom, 0) };
}

/** The share of events the average gateway needs with every room local (σ = 0) and every room spread (σ = 1). */
export function fractionsAt(classes: readonly RoomClass[], gateways: number): { local: number; spread: number } {
  const connectionsPerGateway = SCALE.connections / gateways;
  return {
    local: neededFraction(classes, { gateways, connectionsPerGateway, spread: 0 }),
    spread: neededFraction(classes, { gateways, connectionsPerGateway, spread: 1 }),
  };
}

/**
 * The largest f at which redistributed costs the cluster less CPU per gateway than everything (0: never, 1:
 * always): `chooseRouting`'s cost comparison without its margin and latency budget (the crossover is a cost
 * question; a budget judged on a loaded box's fitted latency would draw that box's noise). Costs are linear in f.
 */
export function crossoverFraction(
  view: { gateways: number; eventsPerSec: number; forwarding: Forwarding },
  cal: Calibration,
): number {
  const picks = (f: number) => {
    const { predicted } = chooseRouting(
      { ...view, payloadBytes: SCALE.payloadBytes, neededEventsPerSec: f * view.eventsPerSec },
      cal,
    );
    return predicted.redistributed.cpuUsPerSec < predicted.everything.cpuUsPerSec;
  };
  if (!picks(0)) return 0;
  if (picks(1)) return 1;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (picks(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** The spread σ below which redistributed wins, from f(σ) = (1 − σ)·f_local + σ·f_spread. */
export function crossoverSpread(fStar: number, f: { local: number; spread: number }): number {
  if (fStar <= f.local) return 0;
  if (fStar >= f.spread) return 1;
  return (fStar - f.local) / (f.spread - f.local);
}

export interface ScaleRow {
  exponent: number;
  gateways: number;
  spread: number;
  neededFraction: number;
  everything: RoutingPrediction;
  kafka: RoutingPrediction;
  direct: RoutingPrediction;
}

/** Per-gateway predictions for both routings at one exponent, gateway count and spread (deliveries included). */
export function scaleRow(exponent: number, gateways: number, spread: number, cal: Calibration): ScaleRow {
  const { classes, eventsPerSec } = zipfRooms(exponent);
  const f = fractionsAt(classes, gateways);
  const needed = (1 - spread) * f.local + spread * f.spread;
  const delivered = classes.reduce((s, c) => s + c.rooms * c.eventsPerSecPerRoom * c.members, 0) / gateways;
  const workload = {
    eventsPerSec,
    payloadBytes: SCALE.payloadBytes,
    neededFraction: needed,
    deliveredPerSecPerGateway: delivered,
    publishesPerSecPerGateway: eventsPerSec / gateways,
  };
  const at = (routing: "everything" | "redistributed", forwarding: Forwarding) => {
    const redistributors = Math.max(1, Math.ceil(gateways / 10));
    const topology = { gateways, redistributors, forwarding, partitions: 1000 };
    return predict({ routing, topology, workload }, cal);
  };
  return {
    exponent,
    gateways,
    spread,
    neededFraction: needed,
    everything: at("everything", "kafka"),
    kafka: at("redistributed", "kafka"),
    direct: at("redistributed", "direct"),
  };
}

export interface CrossoverSeries {
  exponent: number;
  forwarding: Forwarding;
  rooms: number;
  /** Per gateway count: the spread below which redistributed wins. */
  points: Array<{ gateways: number; spread: number; fStar: number; fLocal: number; fSpread: number }>;
}

/** The crossover curve for each exponent and forwarding. */
export function crossoverSeries(cal: Calibration): CrossoverSeries[] {
  return SCALE.exponents.flatMap((exponent) => {
    const { classes, rooms, eventsPerSec } = zipfRooms(exponent);
    const fractions = SCALE.gateways.map((g) => ({ g, f: fractionsAt(classes, g) }));
    return (["kafka", "direct"] as const).map((forwarding) => ({
      exponent,
      forwarding,
      rooms,
      points: fractions.map(({ g, f }) => {
        const fStar = crossoverFraction({ gateways: g, eventsPerSec, forwarding }, cal);
        return { gateways: g, spread: crossoverSpread(fStar, f), fStar, fLocal: f.local, fSpread: f.spread };
      }),
    }));
  });
}
