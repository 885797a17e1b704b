/**
 * `--routing auto` with real processes (docs/cluster.md, "Routing: auto"): two auto gateways, a
 * redistributor, a sequencer and a sink. Publishers on gateway 1 keep four rooms (one per partition)
 * busy, room A the busiest. Gateway 0 evaluates every second and switches after two agreeing
 * evaluations; the test-only PARLEY_ROUTING_CALIBRATION makes reading a record dear enough that the
 * choice turns on f, the share of the events gateway 0's subscribers need, at this small load. The
 * workload moves f:
 *
 * 1. subscribers on gateway 0 in room A only (f ≈ 1/4): it switches everything → redistributed;
 * 2. more subscribers there in rooms B, C, D (f ≈ 1): back to everything;
 * 3. those leave (f ≈ 1/4): redistributed again.
 *
 * Subscribers keep joining room A on gateway 0 (live, or resuming from an earlier seq) throughout, so
 * subscriptions start during each handover too. The chaos history checker then judges every subscription
 * against the acks and the final history: no gap, duplicate or reorder across the three switches; the
 * subscribers that left are checked for contiguity up to the seq they had reached. /metrics shows the mode.
 * Once with each forwarding (a topic per gateway; a WebSocket per redistributor and gateway).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHistory } from "../chaos/history-checker.js";
import type { SubscriptionRecord } from "../chaos/history.js";
import {
  collectWhenCaughtUp,
  publishLoop,
  recordEvents,
  roomHistories,
  subscribeRetrying,
  subscriptionRecord,
  type PublishLog,
} from "../support/busy-rooms.js";
import { TestCluster } from "../support/cluster-fixture.js";
import type { ClusterProcess } from "../support/cluster-process.js";
import { sleep } from "../support/fixtures.js";
import type { RawClient } from "../support/raw-client.js";
import { AUTO_TEST_CALIBRATION } from "../support/routing-calibration.js";
import { scrapeCounter } from "../support/scrape.js";
import { roomsOnEveryPartition } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

interface Subscriber {
  readonly client: RawClient;
  readonly record: SubscriptionRecord;
}

type Mode = "everything" | "redistributed";

for (const forwarding of ["kafka", "direct"] as const) {
  test(
    `auto routing (${forwarding} forwarding): a gateway switches everything → redistributed → everything → redistributed as its subscribers' rooms change, and no subscriber sees a gap or duplicate`,
    { timeout: 240_000 },
    async () => {
      const cluster = await TestCluster.start({
        gateways: 2,
        sequencers: 1,
        redistributors: 1,
        args: [
          "--routing",
          "auto",
          "--routing-interval-ms",
          "1000",
          "--routing-hysteresis",
          "2",
          "--forwarding",
          forwarding,
        ],
        env: { PARLEY_ROUTING_CALIBRATION: AUTO_TEST_CALIBRATION },
      });
      try {
        await cluster.explained(() => run(cluster, forwarding))();
      } finally {
        await cluster.dispose();
      }
    },
  );
}

async function run(cluster: TestCluster, forwarding: string): Promise<void> {
  const [gw0, gw1] = cluster.gateways as [ClusterProcess, ClusterProcess];
  const rooms = roomsOnEveryPartition(`auto-${process.pid}-${Date.now().toString(36)}`, 4);
  const [roomA, ...others] = rooms as [string, ...string[]];
  const log: PublishLog = { publishes: [], head: new Map() };
  const { head } = log;
  const stayers: Subscriber[] = [];
  const leavers: Subscriber[] = [];
  const epochs = new Map<string, string>();
  let stop = false;

  const mode = (m: Mode) => scrapeCounter(gw0.httpUrl, "parley_routing_mode", { mode: m });
  const switches = (to: Mode) => scrapeCounter(gw0.httpUrl, "parley_routing_switches_total", { to, result: "done" });
  assert.equal(await mode("everything"), 1, "an auto gateway starts reading everything");

  const join = async (room: string, name: string, list: Subscriber[], resume: boolean) => {
    const client = await cluster.connect(gw0, name);
    const epoch = epochs.get(room);
    const from = resume && epoch ? { since: Math.max(0, (head.get(room) ?? 0) - 25), epoch } : undefined;
    const { startAfter, epoch: current } = await subscribeRetrying(client, room, from);
    epochs.set(room, current);
    list.push({ client, record: subscriptionRecord(`${name}@gw0`, room, startAfter) });
  };

  // Room A's subscribers on gateway 0: one every 700 ms until the end, live or resuming.
  const joining = (async () => {
    for (let i = 0; !stop; i++) {
      await join(roomA, `a${i}`, stayers, i % 2 === 1);
      await sleep(700);
    }
  })();
  // Room A the busiest: two publishers.
  const publishing = [...rooms, roomA].map((room, n) =>
    publishLoop({ cluster, gateway: gw1, room, n, log, stopped: () => stop }),
  );

  // 1. Only room A is needed here: redistributed.
  await waitUntil(async () => (await switches("redistributed")) >= 1, "gw0 to switch to redistributed", 60_000);
  assert.equal(await mode("redistributed"), 1);
  // 2. Every room needed: everything again.
  for (const [i, room] of others.entries()) await join(room, `o${i}`, leavers, false);
  await waitUntil(async () => (await switches("everything")) >= 1, "gw0 to switch back to everything", 60_000);
  assert.equal(await mode("everything"), 1);
  assert.equal(await mode("redistributed"), 0);
  // 3. Rooms B, C, D no longer needed: redistributed again. Their subscribers first get what they are owed.
  const reached = new Map(others.map((room) => [room, head.get(room) ?? 0]));
  await waitUntil(
    () => leavers.every((s) => (s.client.events(s.record.room).at(-1)?.seq ?? 0) >= (reached.get(s.record.room) ?? 0)),
    "the subscribers of B, C, D to reach the last acked seq",
    30_000,
  );
  for (const s of leavers) await s.client.close();
  await waitUntil(async () => (await switches("redistributed")) >= 2, "gw0 to switch to redistributed again", 60_000);
  await sleep(2000); // publishing and joining room A go on past the last handover
  stop = true;
  await Promise.all([...publishing, joining]);

  await collectWhenCaughtUp(stayers, head);
  for (const { client, record } of leavers) recordEvents(client, record);
  // The leavers: every event from where they started to where they left, once and in order.
  for (const { record } of leavers) {
    const seqs = record.events.map((e) => e.seq);
    const expected = Array.from({ length: seqs.length }, (_, i) => record.startAfter + 1 + i);
    assert.deepEqual(seqs, expected, `${record.client} in ${record.room}`);
    assert.ok((seqs.at(-1) ?? 0) >= (reached.get(record.room) ?? 0));
    record.stayed = false;
  }
  const histories = await roomHistories(await cluster.connect(gw0, "reader"), rooms, epochs);
  const subscriptions = [...stayers, ...leavers].map((s) => s.record);
  const result = checkHistory({ publishes: log.publishes, subscriptions, rooms: histories });
  const counts = JSON.stringify(result.counts);
  assert.equal(result.violationCount, 0, `${JSON.stringify(result.violations.slice(0, 10))}\n${counts}`);
  assert.ok(stayers.length >= 10, counts);
  const decisions = await Promise.all(
    (["everything", "redistributed"] as const).map((chosen) =>
      scrapeCounter(gw0.httpUrl, "parley_routing_decisions_total", { chosen }),
    ),
  );
  const read = await scrapeCounter(gw0.httpUrl, "parley_gateway_records_read_total", { routing: "auto" });
  console.log(
    `auto routing, ${forwarding} forwarding: ${counts}; gw0 decisions everything/redistributed ${decisions.join("/")}, records read ${read}, switches ${await switches("redistributed")}+${await switches("everything")}`,
  );
}
