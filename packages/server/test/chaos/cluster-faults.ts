/**
 * The process faults of the cluster chaos run: kill -9 a gateway, a
 * sequencer or the sink, and pause a sequencer (SIGSTOP) past its Kafka
 * session timeout so the group hands its partitions to the other one while
 * it still believes it owns them (a zombie), then let it run again (SIGCONT).
 */
import type { ChildProcess } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import type { ClusterProcess } from "../support/cluster-process.js";
import type { TestCluster } from "../support/cluster-fixture.js";
import type { Fault } from "./chaos-target.js";

/** Pauses between injections of each kind, in ms. */
export interface ClusterFaultTimings {
  readonly gatewayKillEveryMs: readonly [number, number];
  readonly sequencerKillEveryMs: readonly [number, number];
  readonly sequencerPauseEveryMs: readonly [number, number];
  readonly sinkKillEveryMs: readonly [number, number];
  /** How long the sink stays dead before it is restarted. */
  readonly sinkDownMs: readonly [number, number];
}

/** The four process faults on `cluster`; `sessionTimeoutMs` is the sequencers' Kafka session timeout. */
export function clusterFaults(cluster: TestCluster, timings: ClusterFaultTimings, sessionTimeoutMs: number): Fault[] {
  // One sequencer fault at a time: both sequencers dead or paused at once is an outage, not a failover.
  const sequencerTurn = new Turn();
  return [
    {
      name: "gateway kill -9",
      everyMs: timings.gatewayKillEveryMs,
      inject: () => killAndRestart(pick(cluster.gateways.filter((g) => g.running))),
    },
    {
      name: "sequencer kill -9",
      everyMs: timings.sequencerKillEveryMs,
      inject: () => sequencerTurn.run(() => killAndRestart(pick(cluster.sequencers.filter((s) => s.running)))),
    },
    {
      name: "sequencer pause",
      everyMs: timings.sequencerPauseEveryMs,
      inject: () =>
        sequencerTurn.run(() => pause(pick(cluster.sequencers.filter((s) => s.running)), sessionTimeoutMs + 2_000)),
    },
    {
      name: "sink kill -9",
      everyMs: timings.sinkKillEveryMs,
      inject: () => killAndRestart(cluster.sink.running ? cluster.sink : undefined, between(timings.sinkDownMs)),
    },
  ];
}

/** Restarts every node that is down (the end of the fault phase); `more`: others to keep up too (redistributors). */
export async function healCluster(cluster: TestCluster, more: readonly ClusterProcess[] = []): Promise<void> {
  const nodes = [...cluster.gateways, ...cluster.sequencers, cluster.sink, ...more];
  await Promise.all(nodes.filter((n) => !n.running).map((n) => startUntilReady(n)));
}

/** kill -9, then (after `downMs`) the same node again; false when there was none to kill. */
export async function killAndRestart(node: ClusterProcess | undefined, downMs = 0): Promise<boolean> {
  if (!node) return false;
  await node.kill9();
  if (downMs > 0) await sleep(downMs);
  await startUntilReady(node);
  return true;
}

/** How long a node may take to come back, a broker restart included (the private broker's, routing-faults.ts). */
const RESTART_DEADLINE_MS = 180_000;

/**
 * Starts `node`, and again after a start that failed: one that began while the broker was restarting may not
 * get ready in time, and a half-started child would keep its old port. Throws after RESTART_DEADLINE_MS.
 */
export async function startUntilReady(node: ClusterProcess): Promise<void> {
  const deadline = Date.now() + RESTART_DEADLINE_MS;
  for (;;) {
    try {
      await node.start();
      return;
    } catch (err) {
      await node.kill9();
      if (Date.now() > deadline) throw err;
      await sleep(1_000);
    }
  }
}

/** SIGSTOP for `ms`, then SIGCONT: the process misses its heartbeats and is expelled from the group meanwhile. */
async function pause(node: ClusterProcess | undefined, ms: number): Promise<boolean> {
  const pid = node && pidOf(node);
  if (!pid) return false;
  process.kill(pid, "SIGSTOP");
  try {
    await sleep(ms);
  } finally {
    // Always resumed: a process left stopped would hang the heal and the cleanup.
    process.kill(pid, "SIGCONT");
  }
  return true;
}

/** ClusterProcess keeps its child private and has no pause (cluster/ is not ours to change), so the pid is read through a cast. */
function pidOf(node: ClusterProcess): number | undefined {
  return (node as unknown as { child?: ChildProcess }).child?.pid;
}

export function pick<T>(items: readonly T[]): T | undefined {
  return items[Math.floor(Math.random() * items.length)];
}

export function between([min, max]: readonly [number, number]): number {
  return min + Math.random() * (max - min);
}

/** Runs one task at a time; a task that finds the turn taken is skipped (resolves false). */
export class Turn {
  private busy = false;
  async run(task: () => Promise<boolean>): Promise<boolean> {
    if (this.busy) return false;
    this.busy = true;
    try {
      return await task();
    } finally {
      this.busy = false;
    }
  }
}
