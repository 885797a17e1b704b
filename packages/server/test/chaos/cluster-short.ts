/**
 * The short cluster chaos runs of the test suite (chaos-cluster-short.test.ts,
 * chaos-redistributed-*-short.test.ts): one cluster target, the scenario until
 * it has seen enough, and the same assertions on every report: 0 violations,
 * nothing left unsettled, both history copies checked, every kind of event and
 * fault seen, deliveries on every gateway, and with redistributors, no lease
 * of a killed gateway left counted once the run has settled.
 */
import assert from "node:assert/strict";
import type { TestContext } from "node:test";
import { testPostgresUrl } from "../support/postgres-test-db.js";
import { testBrokers } from "../support/test-kafka.js";
import { startClusterTarget, type ClusterTargetOptions } from "./cluster-target.js";
import { formatReport } from "./report.js";
import { runChaos, type ChaosReport } from "./scenario.js";

/** Each of these kinds is acked at least 10 times, so the chat fold checks have something to fold. */
const KINDS_SEEN = { edit: 10, delete: 10, reaction: 10, receipt: 10 };

/** How long a short run injects faults at least, and at most while it waits to have seen enough. */
export interface ShortRunLength {
  readonly durationMs: number;
  readonly maxMs: number;
  /** Gateway kills the report must show (default 2); the run itself waits only for one of each fault. */
  readonly gatewayKills?: number;
}

/** Runs the short scenario on a cluster target made with `options` and asserts on its report. */
export async function runClusterShort(
  t: TestContext,
  options: ClusterTargetOptions,
  length: ShortRunLength,
): Promise<void> {
  // Both throw with how to start the service: a missing broker or database is a failure, not a skip.
  // Redistributed routing starts a broker of its own (and fails when it cannot).
  if (options.routing !== "redistributed") testBrokers();
  testPostgresUrl();
  const target = await startClusterTarget(options);
  try {
    // The counts asserted below are what the run waits for, so a loaded machine runs longer instead of failing.
    const until = { acked: 500, perKind: KINDS_SEEN, perFault: 1, maxMs: length.maxMs };
    const report = await runChaos(target, { durationMs: length.durationMs, settleTimeoutMs: 45_000, until });
    const summary = formatReport(report);
    t.diagnostic(summary);
    assert.equal(report.check.violationCount, 0, `${summary}\n${target.diagnostics()}`);
    assertSettled(report, summary);
    assertFaults(report, length.gatewayKills ?? 2, summary);
    assertGateways(report, options.routing === "redistributed", summary);
  } finally {
    await target.stop();
  }
}

function assertSettled(report: ChaosReport, summary: string): void {
  assert.equal(report.unacked, 0, summary);
  assert.equal(report.behind, 0, summary);
  assert.deepEqual(report.historyCopies, ["gateway", "store"], summary);
  assert.ok(report.check.counts.ackedMessages >= 500, summary);
  assert.ok(report.check.counts.deliveries >= 3_000, summary);
  for (const kind of Object.keys(KINDS_SEEN))
    assert.ok((report.check.counts.ackedByKind[kind] ?? 0) >= 10, `${kind} events were checked\n${summary}`);
  const sse = report.sdk.sse;
  assert.ok(sse && sse.acked > 0 && sse.received > 0, `SDK clients on SSE published and received\n${summary}`);
  assert.ok((report.sdk.websocket?.acked ?? 0) > 0, `the SDK publisher on WebSocket published\n${summary}`);
  assert.ok(report.check.counts.refusedPublishes > 0, `eve's intrusions were refused\n${summary}`);
}

/** Every fault the target has was injected; the frequent ones several times. */
function assertFaults(report: ChaosReport, gatewayKills: number, summary: string): void {
  const atLeast: Record<string, number> = { "gateway kill -9": gatewayKills, "net drop": 3, "net stall": 3 };
  Object.assign(atLeast, { "net cut mid-frame": 3, "client drop": 3 });
  for (const [kind, n] of Object.entries(report.faults))
    assert.ok(n >= (atLeast[kind] ?? 1), `${kind} injected ${n} times\n${summary}`);
  assert.ok(Object.keys(report.faults).length >= 8, `the cluster's faults all ran\n${summary}`);
}

/** Events reached subscribers on every gateway; redistributors count the running gateways' leases, no dead one's. */
function assertGateways(report: ChaosReport, redistributed: boolean, summary: string): void {
  const f = report.findings;
  for (const gateway of ["gw0", "gw1", "gw2"])
    assert.ok((f[`deliveries ${gateway}`] ?? 0) > 0, `${gateway} delivered events\n${summary}`);
  if (!redistributed) return;
  assert.equal(f["gateways running"], 3, summary);
  assert.equal(f["live leases now (most)"], 3, `no killed gateway's lease is counted\n${summary}`);
  assert.equal(f["live leases now (fewest)"], 3, `every redistributor counts every gateway\n${summary}`);
}

/**
 * The redistributed short runs' faults: the cluster's as in the everything run, and the routing ones often
 * enough that each lands within a minute (a broker restart takes 10-30 s of it, so one or two of them).
 */
export const REDISTRIBUTED_SHORT: Omit<ClusterTargetOptions, "forwarding"> = {
  routing: "redistributed",
  gatewayKillEveryMs: [5_000, 10_000],
  sequencerKillEveryMs: [6_000, 12_000],
  sequencerPauseEveryMs: [6_000, 12_000],
  sinkKillEveryMs: [6_000, 12_000],
  sinkDownMs: [1_000, 4_000],
  redistributorKillEveryMs: [6_000, 12_000],
  redistributorDownMs: [1_000, 4_000],
  rebalanceEveryMs: [6_000, 12_000],
  rebalanceStayMs: [2_000, 5_000],
  brokerRestartEveryMs: [20_000, 40_000],
};

/**
 * 45 s of faults, longer (up to 100 s) until every kind has been seen; with its own broker's start and the settle
 * this must fit the per-file timeout of scripts/test.sh on a loaded box (CI once took over 180 s at 60/120 s). One gateway kill is enough: a gateway
 * killed while the broker restarts may take a minute to come back on a loaded box, and the kills wait for it.
 */
export const REDISTRIBUTED_LENGTH: ShortRunLength = { durationMs: 45_000, maxMs: 100_000, gatewayKills: 1 };
