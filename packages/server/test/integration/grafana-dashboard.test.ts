/**
 * docs/grafana/parley.json queries only metrics a Parley node really exports: every metric name in
 * every panel's PromQL is checked against the `# TYPE` lines of a live server's /metrics (a
 * histogram's `_bucket`, `_sum` and `_count` series included), so a renamed metric breaks this
 * test instead of leaving an empty panel.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { ServerProcess } from "../support/server-process.js";

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(
  readFileSync(new URL("../../../../docs/grafana/parley.json", import.meta.url), "utf8"),
) as { panels: Panel[]; templating: { list: { name: string; definition?: string }[] } };

/** Metric names in a PromQL expression: identifiers left once labels, ranges, strings, groupings and calls are gone. */
function metricsOf(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(?:by|without)\s*\([^)]*\)/g, "")
    .replace(/\b[a-z_]+\s*\(/g, "(");
  return [...new Set(bare.match(/[a-zA-Z_:][a-zA-Z0-9_:]*/g) ?? [])];
}

/** Every series name /metrics can carry: each `# TYPE` metric, with a histogram's or summary's suffixes. */
function exportedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const [, name = "", type] of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === "histogram" || type === "summary") for (const s of ["_bucket", "_sum", "_count"]) names.add(name + s);
  }
  return names;
}

describe("docs/grafana/parley.json", () => {
  let server: ServerProcess;
  let exported: Set<string>;
  before(async () => {
    server = await ServerProcess.start();
    exported = exportedNames(await (await fetch(`${server.httpUrl}/metrics`)).text());
  });
  after(() => server?.cleanup());

  it("reads PromQL metric names right", () => {
    assert.deepEqual(
      metricsOf('histogram_quantile(0.99, sum by (le) (rate(parley_ack_latency_seconds_bucket{instance=~"$i"}[5m])))'),
      ["parley_ack_latency_seconds_bucket"],
    );
    assert.deepEqual(metricsOf("sum(rate(a_sum[1m])) / sum(rate(a_count[1m]))"), ["a_sum", "a_count"]);
  });

  it("every panel queries something, and every metric it queries is exported", () => {
    const panels = dashboard.panels.filter((p) => p.type !== "row");
    assert.ok(panels.length >= 20);
    assert.equal(new Set(dashboard.panels.map((p) => p.id)).size, dashboard.panels.length, "panel ids are unique");
    const queried = new Set<string>();
    for (const panel of panels) {
      assert.ok(panel.targets?.length, `${panel.title} has queries`);
      for (const { expr } of panel.targets ?? []) {
        const names = metricsOf(expr);
        assert.ok(names.length > 0, `${panel.title}: ${expr} names a metric`);
        for (const name of names) {
          assert.ok(exported.has(name), `${panel.title}: ${name} is not exported by /metrics`);
          queried.add(name);
        }
      }
    }
    for (const variable of dashboard.templating.list)
      for (const name of metricsOf(variable.definition?.replace(/^label_values\(([^,]+),.*$/, "$1") ?? ""))
        assert.ok(exported.has(name), `variable ${variable.name}: ${name}`);
    // The figures the admin page shows are on the Grafana dashboard too.
    for (const name of [
      "parley_node_connections",
      "parley_node_users",
      "parley_publishes_total",
      "parley_deliveries_total",
      "parley_slow_consumer_disconnects_total",
      "parley_consumer_lag",
    ])
      assert.ok(queried.has(name), `${name} is on the dashboard`);
  });
});
