/**
 * The admin stats in a cluster: two gateways (A and B), one sequencer and a sink as real processes.
 * Asked of A, they report every node (B through the presence topic's snapshots, the sequencer and
 * the sink through their beacons) with its readiness, B's connections, and the consumer lag per
 * partition of the gateways, the sequencer and the sink, read from each node's own /metrics.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { NodeReport } from "#server/http/admin-nodes.js";
import type { NodeTotals } from "#server/metrics/node-totals.js";
import { publish, subscribe, uniqueRoom } from "../support/fixtures.js";
import { TestCluster } from "../support/cluster-fixture.js";
import { KeysFile, serverApi, testKey } from "../support/server-keys.js";
import { waitUntil } from "../support/wait.js";

interface Stats {
  mode: string;
  node: string;
  totals: NodeTotals;
  topRooms: { byMessages: { room: string; perSecond: number }[] };
  nodes: NodeReport[];
}

describe("admin stats across a cluster", { timeout: 180_000 }, () => {
  const keys = new KeysFile();
  const key = testKey("ops", ["admin"]);
  keys.write([key.entry]);
  let cluster: TestCluster;
  let a: TestCluster["gateways"][number];
  let b: TestCluster["gateways"][number];
  before(async () => {
    cluster = await TestCluster.start({ gateways: 2, sequencers: 1, args: ["--server-keys-file", keys.path] });
    [a, b] = cluster.gateways as [typeof a, typeof b];
  });
  after(async () => {
    await cluster?.dispose();
    keys.cleanup();
  });

  const stats = async (): Promise<Stats> => {
    const reply = await serverApi(a.httpUrl, key.credential)<Stats>("GET", "/v1/server/admin/stats");
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  };
  const byRole = (s: Stats, role: string) => s.nodes.filter((n) => n.roles.includes(role));

  it("reports every node, ready, with B's connections and each consumer's lag per partition", async () => {
    await cluster.explained(async () => {
      const room = uniqueRoom("admin-cluster");
      const onB = await cluster.connect(b, "bea");
      await subscribe(onB, room);
      await publish(onB, room, { text: "hello" });
      let last: Stats | undefined;
      await waitUntil(
        async () => {
          const s = (last = await stats());
          const peers = s.nodes.filter((n) => !n.self);
          const lagOf = (role: string) => byRole(s, role).flatMap((n) => n.lag.filter((l) => l.consumer === role));
          return (
            s.nodes.length === 4 &&
            s.nodes.every((n) => n.status === "ready") &&
            peers.find((n) => n.roles.includes("gateway"))?.totals?.connections === 1 &&
            ["gateway", "sequencer", "sink"].every((role) => new Set(lagOf(role).map((l) => l.partition)).size === 4)
          );
        },
        "every node ready and reporting its lag",
        60_000,
      ).catch((err: Error) => {
        err.message += `\nlast stats: ${JSON.stringify(last, null, 1)}`;
        throw err;
      });
      const s = last as Stats;
      assert.equal(s.mode, "cluster");
      assert.deepEqual(
        s.nodes.map((n) => [n.self, n.roles]).sort(),
        [
          [false, ["gateway"]],
          [false, ["sequencer"]],
          [false, ["sink"]],
          [true, ["gateway"]],
        ].sort(),
      );
      assert.equal(s.nodes[0]?.self, true, "the answering node first");
      assert.equal(s.totals.connections, 1, "the sum over the gateways");
      assert.equal(byRole(s, "sequencer")[0]?.totals, undefined, "no gateway figures on a sequencer");
      for (const row of s.nodes.flatMap((n) => n.lag)) assert.ok(row.lag >= 0);
      // Every gateway reads every event: A counts B's room's messages too.
      await waitUntil(async () => (await stats()).topRooms.byMessages.some((r) => r.room === room), "A saw the room");
    })();
  });

  it("a stopped sink leaves the list (its beacon says goodbye)", async () => {
    await cluster.explained(async () => {
      await cluster.sink.stop();
      await waitUntil(async () => byRole(await stats(), "sink").length === 0, "the sink gone", 30_000);
    })();
  });
});
