/**
 * A short chaos run in the test suite: 35 s (longer on a loaded machine, until it has seen enough) of kill -9, drops, stalls,
 * mid-frame cuts and client-side drops against a real server, raw protocol
 * clients and an SDK publisher above the default publish limit, then the
 * history checker (with each SDK publisher's order). Zero violations and
 * non-trivial counts, or it fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { startEmbeddedTarget } from "./embedded-target.js";
import { formatReport } from "./report.js";
import { runChaos } from "./scenario.js";

/** Each of these kinds is acked at least 10 times, so the chat fold checks have something to fold. */
const KINDS_SEEN = { edit: 10, delete: 10, reaction: 10, receipt: 10 };

test(
  "chaos (embedded, short): no acked message lost, duplicated or reordered under faults",
  { timeout: 240_000 },
  async (t) => {
    const target = await startEmbeddedTarget({ killEveryMs: [2500, 4500] });
    try {
      // The counts asserted below are what the run waits for (up to 120 s), so a loaded machine runs longer instead of failing.
      const until = { acked: 500, ordered: 500, perKind: KINDS_SEEN, perFault: 4, maxMs: 120_000 };
      const report = await runChaos(target, { durationMs: 35_000, settleTimeoutMs: 45_000, until });
      const summary = formatReport(report);
      for (const line of summary.split("\n")) t.diagnostic(line);
      assert.equal(report.check.violationCount, 0, `${summary}\n${target.diagnostics()}`);
      assert.equal(report.unacked, 0, summary);
      assert.equal(report.behind, 0, summary);
      assert.ok(report.check.counts.ackedMessages >= 500, summary);
      assert.ok(report.check.counts.deliveries >= 3_000, summary);
      assert.ok(report.check.counts.orderedPublishes >= 500, `the SDK publisher's order was checked\n${summary}`);
      for (const kind of Object.keys(KINDS_SEEN))
        assert.ok((report.check.counts.ackedByKind[kind] ?? 0) >= 10, `${kind} events were checked\n${summary}`);
      assert.ok(report.check.counts.refusedPublishes > 0, `eve's intrusions were refused\n${summary}`);
      assert.ok((report.faults["kill -9"] ?? 0) >= 4, summary);
      for (const [name, n] of Object.entries(report.faults))
        assert.ok(n >= 3, `${name} injected ${n} times\n${summary}`);
    } finally {
      await target.stop();
    }
  },
);
