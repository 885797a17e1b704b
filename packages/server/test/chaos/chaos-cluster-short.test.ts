/**
 * A short cluster chaos run in the test suite: ~45 s of kill -9 on gateways,
 * sequencers and the sink, a sequencer paused past its session timeout (a
 * zombie), proxy drops, stalls and mid-frame cuts between clients and three
 * gateways, WebSocket and SSE clients of the SDK mixed (the SSE ones through
 * a round-robin balancer: no sticky sessions), then the history checker on
 * the gateway's and PostgreSQL's copy.
 * Needs PARLEY_TEST_KAFKA and PARLEY_TEST_PG_URL (npm test sets both); fails,
 * never skips, without them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { testBrokers } from "../support/test-kafka.js";
import { testPostgresUrl } from "../support/postgres-test-db.js";
import { startClusterTarget } from "./cluster-target.js";
import { formatReport } from "./report.js";
import { runChaos } from "./scenario.js";

/** Faster than the long run's, so every kind is injected within 45 s. */
const TIMINGS = {
  gatewayKillEveryMs: [4_000, 8_000],
  sequencerKillEveryMs: [5_000, 9_000],
  sequencerPauseEveryMs: [5_000, 9_000],
  sinkKillEveryMs: [5_000, 9_000],
  sinkDownMs: [1_000, 4_000],
} as const;

/** Each of these kinds is acked at least 10 times, so the chat fold checks have something to fold. */
const KINDS_SEEN = { edit: 10, delete: 10, reaction: 10, receipt: 10 };

test(
  "chaos (cluster, short): no acked message lost, duplicated or reordered under process and network faults",
  { timeout: 240_000 },
  async (t) => {
    // Both throw with how to start the service: a missing broker or database is a failure, not a skip.
    testBrokers();
    testPostgresUrl();
    const target = await startClusterTarget(TIMINGS);
    try {
      // The counts asserted below are what the run waits for (up to 110 s), so a loaded machine runs longer instead of failing.
      const until = { acked: 500, perKind: KINDS_SEEN, perFault: 1, maxMs: 110_000 };
      const report = await runChaos(target, { durationMs: 45_000, settleTimeoutMs: 45_000, until });
      const summary = formatReport(report);
      t.diagnostic(summary);
      assert.equal(report.check.violationCount, 0, `${summary}\n${target.diagnostics()}`);
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
      assert.ok((report.faults["gateway kill -9"] ?? 0) >= 2, summary);
      for (const kind of ["sequencer kill -9", "sequencer pause", "sink kill -9"])
        assert.ok((report.faults[kind] ?? 0) >= 1, `${kind} injected ${report.faults[kind]} times\n${summary}`);
      for (const kind of ["net drop", "net stall", "net cut mid-frame", "client drop"])
        assert.ok((report.faults[kind] ?? 0) >= 3, `${kind} injected ${report.faults[kind]} times\n${summary}`);
    } finally {
      await target.stop();
    }
  },
);
