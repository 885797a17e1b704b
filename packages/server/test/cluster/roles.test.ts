/**
 * Which roles `--role` runs, and what each needs: the bridge only where it is
 * configured (`all` includes it only with bridgeTopics), and with PostgreSQL
 * for the room rules its publishes are checked against; the redistributor in
 * `all` only with redistributed or auto routing.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterRoles } from "#server/cluster/roles.js";
import { ConfigError } from "#server/config/load-config.js";
import { defaultConfig, type ParleyConfig } from "#server/config/options.js";

const cluster = (over: Partial<ParleyConfig>): ParleyConfig => ({
  ...defaultConfig(),
  kafka: ["127.0.0.1:1"],
  postgres: "postgres://nobody@127.0.0.1:1/parley",
  dev: true,
  ...over,
});

describe("cluster roles", () => {
  it("runs the bridge in `all` only when bridgeTopics maps a topic", () => {
    assert.deepEqual([...clusterRoles(cluster({ role: "all" }))], ["gateway", "sequencer", "sink"]);
    const mapped = cluster({ role: "all", bridgeTopics: ["t room=key author=bot"] });
    assert.deepEqual([...clusterRoles(mapped)], ["gateway", "sequencer", "sink", "bridge"]);
    assert.deepEqual([...clusterRoles({ ...mapped, role: "bridge" })], ["bridge"]);
  });

  it("refuses a bridge role without mappings or PostgreSQL, and names every role in the refusal", () => {
    assert.throws(() => clusterRoles(cluster({ role: "bridge" })), /--role bridge needs --bridge-topics/);
    const noPg = cluster({ role: "bridge", bridgeTopics: ["t room=key author=bot"], postgres: undefined });
    assert.throws(() => clusterRoles(noPg), /--role bridge needs --postgres/);
    assert.throws(
      () => clusterRoles(cluster({ role: "bridges" })),
      (err: unknown) =>
        err instanceof ConfigError && /gateway, sequencer, sink, bridge, redistributor or all/.test(err.message),
    );
  });

  it("runs a redistributor in `all` only with redistributed or auto routing, and refuses unknown routings and forwardings", () => {
    for (const routing of ["redistributed", "auto"]) {
      assert.deepEqual(
        [...clusterRoles(cluster({ role: "all", routing }))],
        ["gateway", "sequencer", "sink", "redistributor"],
      );
    }
    assert.deepEqual([...clusterRoles(cluster({ role: "redistributor" }))], ["redistributor"]);
    assert.throws(
      () => clusterRoles(cluster({ routing: "some" })),
      /--routing: must be everything, redistributed or auto/,
    );
    assert.throws(
      () => clusterRoles(cluster({ routing: "auto", routingHysteresis: 0 })),
      /--routing-interval-ms must be at least 100 and --routing-hysteresis at least 1/,
    );
    assert.throws(() => clusterRoles(cluster({ forwarding: "http" })), /--forwarding: must be kafka or direct/);
  });
});
