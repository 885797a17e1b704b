/**
 * A short chaos run in the test suite: ~35 s of kill -9, drops, stalls,
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

test(
  "chaos (embedded, short): no acked message lost, duplicated or reordered under faults",
  { timeout: 150_000 },
  async (t) => {
    const target = await startEmbeddedTarget({ killEveryMs: [2500, 4500] });
    try {
      const report = await runChaos(target, { durationMs: 35_000, settleTimeoutMs: 45_000 });
      const summary = formatReport(report);
      for (const line of summary.split("\n")) t.diagnostic(line);
      assert.equal(report.check.violationCount, 0, `${summary}\n${target.diagnostics()}`);
      assert.equal(report.unacked, 0, summary);
      assert.equal(report.behind, 0, summary);
      assert.ok(report.check.counts.ackedMessages >= 500, summary);
      assert.ok(report.check.counts.deliveries >= 3_000, summary);
      assert.ok(report.check.counts.orderedPublishes >= 500, `the SDK publisher's order was checked\n${summary}`);
      for (const kind of ["edit", "delete", "reaction", "receipt"])
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
