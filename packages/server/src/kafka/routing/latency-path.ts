import type { Calibration, SegmentMs } from "./calibration.js";

/** Above this CPU share a process is called saturated and its queueing stretch stops growing (1/(1-0.95) = 20×). */
export const SATURATION = 0.95;

/** The segments of one routing's publish→deliver path, each with the stretch of the process that runs it. */
export interface PathSegment {
  segment: keyof Calibration["latency"];
  /** 1/(1-ρ) of the process doing this part (1 for the append, which neither routing changes). */
  stretch: number;
}

/** M/M/1 queueing stretch of a process using `utilisation` of its cores. */
export function stretchOf(utilisation: number): number {
  return 1 / (1 - Math.min(Math.max(0, utilisation), SATURATION));
}

/**
 * End-to-end latency of a path: medians add; the tails beyond the medians are treated as independent, so
 * their excesses add in quadrature (one slow hop is likelier than all of them slow at once).
 */
export function pathLatency(path: readonly PathSegment[], cal: Calibration): SegmentMs {
  let p50 = 0;
  let excess2 = 0;
  for (const { segment, stretch } of path) {
    const s = cal.latency[segment];
    p50 += s.p50 * stretch;
    excess2 += ((s.p99 - s.p50) * stretch) ** 2;
  }
  return { p50, p99: p50 + Math.sqrt(excess2) };
}

/** What each routing's path is made of, given the gateway's and the redistributor's stretch. */
export function routingPath(
  kind: "everything" | "kafka" | "direct",
  gatewayStretch: number,
  redistributorStretch: number,
): PathSegment[] {
  const append: PathSegment = { segment: "append", stretch: 1 };
  const gatewayFetch: PathSegment = { segment: "fetch", stretch: gatewayStretch };
  const deliver: PathSegment = { segment: "deliver", stretch: gatewayStretch };
  const redistributorFetch: PathSegment = { segment: "fetch", stretch: redistributorStretch };
  if (kind === "everything") return [append, gatewayFetch, deliver];
  if (kind === "kafka")
    return [
      append,
      redistributorFetch,
      { segment: "forwardProduce", stretch: redistributorStretch },
      gatewayFetch,
      deliver,
    ];
  return [append, redistributorFetch, { segment: "directSend", stretch: redistributorStretch }, deliver];
}
