/**
 * Turns the server's cumulative counters into per-second rates, as Prometheus's rate() does: the
 * difference of two snapshots over the time between them. Pure, so the page's figures are tested
 * without a browser.
 */
import type { AdminStats, Totals } from "./admin-api.js";

/** How many points each chart keeps (at a poll every 1.5 s: three minutes). */
export const HISTORY_POINTS = 120;

/** The per-second figures between two snapshots. */
export interface Rates {
  messagesIn: number;
  messagesOut: number;
  slowConsumerCuts: number;
  rateLimited: number;
}

const COUNTERS = ["messagesIn", "messagesOut", "slowConsumerCuts", "rateLimited"] as const;

/** Rates from `before` to `after`; a counter that went down (a node restarted or left) counts as 0. */
export function ratesBetween(before: AdminStats | undefined, after: AdminStats): Rates {
  const seconds = before ? (after.at - before.at) / 1000 : 0;
  const rate = (key: keyof Totals): number => {
    if (!before || seconds <= 0) return 0;
    return Math.max(0, after.totals[key] - before.totals[key]) / seconds;
  };
  return Object.fromEntries(COUNTERS.map((key) => [key, rate(key)])) as unknown as Rates;
}

/** The charts' series: time (s), connections, messages in/s, messages out/s. */
export interface History {
  readonly time: number[];
  readonly connections: number[];
  readonly messagesIn: number[];
  readonly messagesOut: number[];
}

export function emptyHistory(): History {
  return { time: [], connections: [], messagesIn: [], messagesOut: [] };
}

/** `history` with one more point, the oldest dropped past HISTORY_POINTS (a new object: React state). */
export function withPoint(history: History, stats: AdminStats, rates: Rates): History {
  const keep = <T>(list: T[], value: T): T[] => [...list, value].slice(-HISTORY_POINTS);
  return {
    time: keep(history.time, stats.at / 1000),
    connections: keep(history.connections, stats.totals.connections),
    messagesIn: keep(history.messagesIn, rates.messagesIn),
    messagesOut: keep(history.messagesOut, rates.messagesOut),
  };
}
