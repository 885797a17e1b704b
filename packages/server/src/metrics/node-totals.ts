/**
 * What the admin dashboard shows of one node, read from its Prometheus samples (metrics.ts names
 * every series used here). Counters stay cumulative: the page turns two polls into a rate, as
 * Prometheus's rate() does, so the server keeps no second set of counts.
 */
import { hasMetric, sumOf, type Sample } from "./prom-text.js";

/** One node's figures: gauges now, counters since it started. */
export interface NodeTotals {
  connections: number;
  /** Distinct users with a connection on the node. */
  users: number;
  /** Rooms with a subscriber on the node. */
  rooms: number;
  /** Publishes accepted (sequenced, not duplicates). */
  messagesIn: number;
  /** Events written to subscriber connections. */
  messagesOut: number;
  /** Connections cut because their outbound buffer overflowed (SLOW_CONSUMER). */
  slowConsumerCuts: number;
  /** Publishes refused by the rate limit. */
  rateLimited: number;
}

/** One partition's consumer lag as `parley_consumer_lag` reports it. */
export interface LagRow {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
  readonly lag: number;
}

/** The series a gateway registers at scrape time (ops-routes.ts); a node without a gateway has none. */
export const GATEWAY_GAUGES = {
  connections: "parley_node_connections",
  users: "parley_node_users",
  rooms: "parley_node_rooms",
} as const;

/** A node's totals from its samples; undefined for a node that reports no gateway (a sequencer, a sink). */
export function nodeTotals(samples: readonly Sample[]): NodeTotals | undefined {
  if (!hasMetric(samples, GATEWAY_GAUGES.connections)) return undefined;
  return {
    connections: sumOf(samples, GATEWAY_GAUGES.connections),
    users: sumOf(samples, GATEWAY_GAUGES.users),
    rooms: sumOf(samples, GATEWAY_GAUGES.rooms),
    ...counterTotals(samples),
  };
}

/** The counters of NodeTotals. */
export function counterTotals(
  samples: readonly Sample[],
): Pick<NodeTotals, "messagesIn" | "messagesOut" | "slowConsumerCuts" | "rateLimited"> {
  return {
    messagesIn: sumOf(samples, "parley_publishes_total", { outcome: "ok" }),
    messagesOut: sumOf(samples, "parley_deliveries_total"),
    slowConsumerCuts: sumOf(samples, "parley_slow_consumer_disconnects_total"),
    rateLimited: sumOf(samples, "parley_publishes_total", { outcome: "rate_limited" }),
  };
}

/** Every `parley_consumer_lag` sample, by consumer, topic and partition. */
export function lagRows(samples: readonly Sample[]): LagRow[] {
  return samples
    .filter((s) => s.name === "parley_consumer_lag")
    .map((s) => ({
      consumer: s.labels.consumer ?? "",
      topic: s.labels.topic ?? "",
      partition: Number(s.labels.partition ?? -1),
      lag: s.value,
    }))
    .sort(
      (a, b) => a.consumer.localeCompare(b.consumer) || a.topic.localeCompare(b.topic) || a.partition - b.partition,
    );
}

/** The sum of several nodes' totals (users summed: a user on two nodes counts twice). */
export function addTotals(all: readonly NodeTotals[]): NodeTotals {
  const sum: NodeTotals = {
    connections: 0,
    users: 0,
    rooms: 0,
    messagesIn: 0,
    messagesOut: 0,
    slowConsumerCuts: 0,
    rateLimited: 0,
  };
  for (const t of all) for (const key of Object.keys(sum) as (keyof NodeTotals)[]) sum[key] += t[key];
  return sum;
}
