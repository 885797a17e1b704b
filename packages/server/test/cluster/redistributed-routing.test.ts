/**
 * Redistributed routing with real processes (docs/cluster.md, "Routing"):
 * two gateways with `--routing redistributed`, two redistributors, a
 * sequencer and a sink. Publishers keep four rooms (one per partition) busy
 * through gateway 0; subscribers keep arriving on both gateways while the
 * rooms are busy, live or resuming from an earlier seq, so gateway 1 follows
 * each room only once a subscriber asks for it (the interest race); halfway
 * one redistributor is killed with kill -9 and the other takes its
 * partitions over. The chaos history checker then judges every subscription
 * against the acks and the final history: no gap, duplicate or reorder.
 * Last, gateway 1 is killed with kill -9: its lease lapses and gateway 0's
 * subscribers go on. The same workload then runs with `everything` routing,
 * for the records each gateway reads (docs/cluster.md, preliminary numbers).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHistory } from "../chaos/history-checker.js";
import type { SubscriptionRecord } from "../chaos/history.js";
import {
  collectWhenCaughtUp,
  publishLoop,
  roomHistories,
  subscribeRetrying,
  subscriptionRecord,
  type PublishLog,
} from "../support/busy-rooms.js";
import { publishUntilAcked, TestCluster } from "../support/cluster-fixture.js";
import type { ClusterProcess } from "../support/cluster-process.js";
import { sleep, uniqueCmid } from "../support/fixtures.js";
import type { RawClient } from "../support/raw-client.js";
import { roomsOnEveryPartition } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";

const PUBLISH_MS = 14_000;
const KILL_AT_MS = 6_000;

interface Subscriber {
  readonly client: RawClient;
  readonly record: SubscriptionRecord;
}

type Routing = "everything" | "redistributed";

test(
  "redistributed routing: subscribers joining busy rooms on two gateways, across a redistributor kill -9, get every event once and in order",
  { timeout: 240_000 },
  () => withCluster("redistributed"),
);

test(
  "redistributed routing with direct forwarding (a WebSocket per redistributor and gateway): the same, across the same kills",
  { timeout: 240_000 },
  () => withCluster("redistributed", "direct"),
);

// The same workload without redistributors: the guarantees hold there too, and the records each gateway reads compare.
test(
  "everything routing, same workload: every event once and in order (records read, for comparison)",
  { timeout: 240_000 },
  () => withCluster("everything"),
);

async function withCluster(routing: Routing, forwarding: "kafka" | "direct" = "kafka"): Promise<void> {
  const cluster = await TestCluster.start({
    gateways: 2,
    sequencers: 1,
    redistributors: routing === "redistributed" ? 2 : 0,
    args: ["--routing", routing, "--forwarding", forwarding],
  });
  try {
    await cluster.explained(() => run(cluster, routing, forwarding))();
  } finally {
    await cluster.dispose();
  }
}

/** A counter's value in a node's /metrics (0 when absent). */
async function scrape(node: ClusterProcess, series: string): Promise<number> {
  const text = await (await fetch(`${node.httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(series));
  return Number(line?.split(" ").at(-1) ?? 0);
}

async function run(cluster: TestCluster, routing: Routing, forwarding: string): Promise<void> {
  const [gw0, gw1] = cluster.gateways as [ClusterProcess, ClusterProcess];
  const rooms = roomsOnEveryPartition(`busy-${process.pid}-${Date.now().toString(36)}`, 4);
  const log: PublishLog = { publishes: [], head: new Map() };
  const { head } = log;
  const subscribers: Subscriber[] = [];
  const epochs = new Map<string, string>();
  const started = Date.now();
  let stop = false;
  let killedAt = Infinity;
  /** Per room, acks received after the kill: every partition, the dead one's included, goes on. */
  const ackedAfterKill = new Map<string, number>();

  const publisher = (room: string, n: number) => {
    const onAck = () => {
      if (Date.now() > killedAt) ackedAfterKill.set(room, (ackedAfterKill.get(room) ?? 0) + 1);
    };
    return publishLoop({ cluster, gateway: gw0, room, n, log, stopped: () => stop, onAck });
  };

  const subscriberLoop = async () => {
    for (let i = 0; !stop; i++) {
      const room = rooms[i % rooms.length]!;
      const gateway = i % 3 === 0 ? gw0 : gw1;
      const client = await cluster.connect(gateway, `sub${i}`);
      const epoch = epochs.get(room);
      const resumeFrom = epoch && i % 2 === 1 ? { since: Math.max(0, (head.get(room) ?? 0) - 25), epoch } : undefined;
      const { startAfter, epoch: current } = await subscribeRetrying(client, room, resumeFrom);
      epochs.set(room, current);
      subscribers.push({ client, record: subscriptionRecord(`sub${i}@${gateway.name}`, room, startAfter) });
      await sleep(250);
    }
  };

  const killer = async () => {
    if (routing !== "redistributed") return;
    await sleep(KILL_AT_MS);
    await cluster.redistributors[0]!.kill9();
    killedAt = Date.now();
  };

  // Rooms only gateway 0 uses (its publishers'): gateway 1 never follows them, so under redistributed routing it reads none of their records.
  const localRooms = roomsOnEveryPartition(`local-${process.pid}-${Date.now().toString(36)}`, 4);
  const publishing = [
    ...rooms.flatMap((room, i) => [publisher(room, 2 * i), publisher(room, 2 * i + 1)]),
    ...localRooms.map((room, i) => publisher(room, 100 + i)),
  ];
  const subscribing = subscriberLoop();
  await Promise.all([killer(), sleep(PUBLISH_MS).then(() => (stop = true)), ...publishing, subscribing]);
  assert.ok(Date.now() - started >= PUBLISH_MS);

  // Every subscriber must get up to each room's last acked seq.
  await collectWhenCaughtUp(subscribers, head);
  const histories = await roomHistories(await cluster.connect(gw1, "reader"), [...rooms, ...localRooms], epochs);
  const subscriptions = subscribers.map((s) => s.record);
  const result = checkHistory({ publishes: log.publishes, subscriptions, rooms: histories });
  const counts = JSON.stringify(result.counts);
  assert.equal(result.violationCount, 0, `${JSON.stringify(result.violations.slice(0, 10))}\n${counts}`);
  assert.ok(subscribers.filter((s) => s.record.client.endsWith("gw1")).length >= 10, counts);
  assert.ok(result.counts.deliveries >= 1000, counts);
  assert.equal(result.counts.rooms, 8, counts);
  if (routing === "redistributed") {
    for (const room of rooms) assert.ok((ackedAfterKill.get(room) ?? 0) >= 10, `${room} went on after the kill`);
    const survivor = cluster.redistributors[1]!;
    assert.equal((await fetch(`${survivor.httpUrl}/readyz`)).status, 200, "the surviving redistributor is ready");
  }
  const series = `parley_gateway_records_read_total{routing="${routing}"}`;
  const read = await Promise.all([gw0, gw1].map((g) => scrape(g, series)));
  const forwarded = await Promise.all(
    cluster.redistributors.slice(1).map((r) => scrape(r, `parley_redistributor_records_total{kind="forwarded"}`)),
  );
  console.log(
    `${routing} routing, ${forwarding} forwarding: ${counts}; records read by gateway 0, 1: ${read.join(", ")}; forwards sent by the surviving redistributor: ${forwarded.join(", ") || "-"}`,
  );
  // Last: it kills gateway 1.
  if (routing === "redistributed") await gatewayDeath(cluster, rooms, subscribers);
}

/**
 * kill -9 of gateway 1: its lease runs out (10 s) and the redistributor stops routing to it
 * (`parley_redistributor_gateways` 2 → 1), while gateway 0's subscribers go on receiving.
 */
async function gatewayDeath(cluster: TestCluster, rooms: readonly string[], subscribers: readonly Subscriber[]) {
  const [gw0, gw1] = cluster.gateways as [ClusterProcess, ClusterProcess];
  const survivor = cluster.redistributors[1]!;
  assert.equal(await scrape(survivor, "parley_redistributor_gateways"), 2);
  await gw1.kill9();
  await waitUntil(
    async () => (await scrape(survivor, "parley_redistributor_gateways")) === 1,
    "gw1's lease to lapse",
    30_000,
  );
  const watcher = subscribers.find((s) => s.record.client.endsWith("@gw0"));
  assert.ok(watcher, "a subscriber on gateway 0");
  const room = watcher.record.room;
  const client = await cluster.connect(gw0, "after-death");
  const ack = await publishUntilAcked(async () => client, { room, body: { after: "death" }, cmid: uniqueCmid() });
  await waitUntil(
    () => (watcher.client.events(room).at(-1)?.seq ?? 0) >= ack.seq,
    "gw0's subscriber to get it",
    30_000,
  );
  assert.ok(rooms.includes(room));
}
