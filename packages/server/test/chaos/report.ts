/** The human-readable verdict of a chaos run. */
import type { ChaosReport } from "./scenario.js";

/** A run passes with no violation and nothing left unsettled (an unacked publish after healing is a liveness failure). */
export function passed(report: ChaosReport): boolean {
  return report.check.ok && report.unacked === 0 && report.behind === 0;
}

/** Verdict line, counts, faults, and the first violations when there are any. */
export function formatReport(report: ChaosReport): string {
  const { check } = report;
  const c = check.counts;
  const lines = [
    `chaos ${report.target}: ${passed(report) ? "PASS" : "FAIL"} — ${check.violationCount} violations`,
    `  duration           ${Math.round(report.durationMs / 1000)} s`,
    `  messages checked   ${c.ackedMessages} acked (${c.refusedPublishes} refused as expected), ${c.historyEvents} in history (${report.historyCopies.join(" + ")})`,
    `  by kind            ${formatCounts(c.ackedByKind)}`,
    `  publisher order    ${c.orderedPublishes} acked SDK publishes checked for their publisher's order`,
    `  deliveries checked ${c.deliveries} across ${c.subscriptions} subscriptions in ${c.rooms} rooms`,
    `  faults injected    ${report.faultTotal} (${formatCounts(report.faults)})`,
    `  sessions           ${report.sessions} (reconnects included)`,
    `  SDK clients        ${formatSdk(report)}`,
    `  left unsettled     ${report.unacked} unacked publishes, ${report.behind} subscriptions behind`,
  ];
  if (Object.keys(report.findings).length > 0) lines.push(`  target             ${formatCounts(report.findings)}`);
  for (const v of check.violations.slice(0, 20)) lines.push(`  ! ${v.kind} in ${v.room}: ${v.detail}`);
  return lines.join("\n");
}

function formatSdk(report: ChaosReport): string {
  return Object.entries(report.sdk)
    .map(([t, n]) => `${t}: ${n.clients} clients, ${n.acked} acked, ${n.received} received, ${n.sessions} sessions`)
    .join("; ");
}

function formatCounts(counts: Readonly<Record<string, number>>): string {
  return Object.entries(counts)
    .map(([name, n]) => `${name} ${n}`)
    .join(", ");
}
