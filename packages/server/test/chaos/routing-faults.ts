/**
 * The faults a cluster with redistributed routing adds (docs/cluster.md,
 * "Routing"): kill -9 of a redistributor, restarted a while later (its
 * partitions move to the other one after the session timeout, and back on
 * its return); a rebalance without a death (a third redistributor joins the
 * group, then leaves it gracefully); and a restart of the run's own Kafka
 * broker (never the shared one: other test files use it). A gateway's kill -9
 * (cluster-faults.ts) leaves a lease behind that must expire: routing-probe.ts
 * checks that it does.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { TestCluster } from "../support/cluster-fixture.js";
import { ClusterProcess } from "../support/cluster-process.js";
import type { OwnBroker } from "../support/test-kafka.js";
import type { Fault } from "./chaos-target.js";
import { between, killAndRestart, pick, startUntilReady } from "./cluster-faults.js";

/** A pause or a duration drawn uniformly from [min, max] ms. */
type MsRange = readonly [number, number];

/** Pauses between injections of each kind, and how long a fault lasts, in ms. */
export interface RoutingFaultTimings {
  readonly redistributorKillEveryMs: MsRange;
  /** How long a killed redistributor stays dead. */
  readonly redistributorDownMs: MsRange;
  readonly rebalanceEveryMs: MsRange;
  /** How long the third redistributor stays in the group before it leaves. */
  readonly rebalanceStayMs: MsRange;
  readonly brokerRestartEveryMs: MsRange;
}

export const DEFAULT_ROUTING_TIMINGS: RoutingFaultTimings = {
  redistributorKillEveryMs: [8_000, 15_000],
  redistributorDownMs: [1_000, 6_000],
  rebalanceEveryMs: [10_000, 20_000],
  rebalanceStayMs: [2_000, 8_000],
  brokerRestartEveryMs: [40_000, 80_000],
};

/**
 * The three routing faults on `cluster`, whose first two redistributors are the steady ones; the rebalance's
 * third one is added to `cluster.redistributors` (so it is cleaned up and shows in the diagnostics).
 */
export function routingFaults(cluster: TestCluster, broker: OwnBroker, timings: RoutingFaultTimings): Fault[] {
  const steady = cluster.redistributors.slice(0, 2);
  const visitor = new ClusterProcess("redistributor", cluster.config, "red-visitor");
  cluster.redistributors.push(visitor);
  return [
    {
      name: "redistributor kill -9",
      everyMs: timings.redistributorKillEveryMs,
      // Only while both run: one redistributor dead is a failover, both dead an outage.
      inject: () =>
        killAndRestart(steady.every((r) => r.running) ? pick(steady) : undefined, between(timings.redistributorDownMs)),
    },
    {
      name: "redistributor rebalance",
      everyMs: timings.rebalanceEveryMs,
      inject: async () => {
        await startUntilReady(visitor);
        await sleep(between(timings.rebalanceStayMs));
        await visitor.stop();
        return true;
      },
    },
    {
      name: "broker restart",
      everyMs: timings.brokerRestartEveryMs,
      inject: async () => {
        await broker.restart();
        return true;
      },
    },
  ];
}
