import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { Producer } from "@platformatic/kafka";
import { InterestWriter, ensureInterestTopic } from "#server/kafka/log/interest-writer.js";
import { BackchannelReader } from "#server/kafka/redistributor/backchannel-reader.js";
import { InterestTable } from "#server/kafka/redistributor/interest-table.js";
import { InterestJanitor } from "#server/kafka/redistributor/interest-janitor.js";
import { interestMessages, type InterestRecord } from "#server/kafka/routing-records.js";
import { deleteTestTopics, testCluster } from "../../support/test-kafka.js";
import { waitUntil } from "../../support/wait.js";

const cluster = testCluster("backchannel", 1);

/** A reader of the backchannel into a fresh table, recording the live declarations. */
async function openReader(topic: string) {
  const table = new InterestTable();
  const declared: string[] = [];
  const reader = new BackchannelReader({
    brokers: cluster.brokers,
    topic,
    clientId: "parley-test-backchannel",
    table,
    onDeclare: (rec) => declared.push(`${rec.gateway}/${rec.room}@${rec.after}`),
    onError: (err) => console.error(err),
  });
  await reader.start();
  return { table, declared, reader };
}

describe("backchannel over a real broker", () => {
  after(() => deleteTestTopics(cluster));

  it("a gateway's declarations and withdrawals reach a redistributor's table; leaving drops them at once", async () => {
    const topic = await ensureInterestTopic(cluster);
    const { table, declared, reader } = await openReader(topic);
    const writer = new InterestWriter({ cluster, gateway: "gw1", leaseMs: 2000, onLapse: () => {} });
    await writer.start();
    writer.declare("a", 0);
    writer.declare("b", 5);
    await waitUntil(() => table.gatewaysFor("b").length === 1, "both declarations");
    assert.deepEqual(table.gatewaysFor("a"), ["gw1"]);
    assert.deepEqual(declared, ["gw1/a@0", "gw1/b@5"]);
    writer.withdraw("a");
    await waitUntil(() => table.gatewaysFor("a").length === 0, "the withdrawal");
    // A second redistributor starting now rebuilds the same table from the compacted topic.
    const late = await openReader(topic);
    assert.deepEqual([late.table.gatewaysFor("a"), late.table.gatewaysFor("b")], [[], ["gw1"]]);
    assert.deepEqual(late.declared, [], "declarations read while catching up are not answered");
    await writer.close();
    await waitUntil(() => table.liveGateways().length === 0, "the leave");
    assert.deepEqual(table.gatewaysFor("b"), []);
    await late.reader.close();
    await reader.close();
  });

  it("a gateway that stops renewing (killed) loses its interest when its lease runs out; the janitor then cleans its records", async () => {
    const topic = await ensureInterestTopic(cluster);
    const { table, reader } = await openReader(topic);
    // What a gateway killed right after declaring leaves behind: one lease, one declaration, no leave.
    const producer = new Producer({ clientId: "parley-test-dead-gateway", bootstrapBrokers: [...cluster.brokers] });
    const records: InterestRecord[] = [
      { type: "lease", gateway: "dead", leaseMs: 1500 },
      { type: "declare", gateway: "dead", room: "r", after: 0 },
    ];
    await producer.send({ messages: interestMessages(topic, records) });
    await producer.close();
    await waitUntil(() => table.gatewaysFor("r").length === 1, "the dead gateway's declaration");
    const seenAt = Date.now();
    await waitUntil(() => table.gatewaysFor("r").length === 0, "its lease to run out", 10_000);
    assert.ok(Date.now() - seenAt <= 1600, "expired within its lease of when it was written");
    assert.deepEqual(table.roomsOf("dead"), ["r"], "its records stay until cleaned up");
    const janitor = new InterestJanitor(cluster, topic, table, 0);
    assert.deepEqual(await janitor.sweep(), ["dead"]);
    await waitUntil(() => table.roomsOf("dead").length === 0, "the janitor's tombstones read back");
    assert.deepEqual(await janitor.sweep(), [], "a cleaned gateway is not cleaned again");
    const late = await openReader(topic);
    assert.deepEqual([late.table.roomsOf("dead"), late.table.expired(0)], [[], []], "a new table never sees it");
    await janitor.close();
    await late.reader.close();
    await reader.close();
  });
});
