import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { after, describe, it } from "node:test";
import type { AppendResult } from "#server/log/event-log.js";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { MemoryHistorySource } from "../support/memory-history-source.js";
import { ClusterProcess, type TestClusterConfig } from "../support/cluster-process.js";
import { deleteTestTopics, roomsOnEveryPartition, testCluster } from "../support/test-kafka.js";
import { waitUntil } from "../support/wait.js";
import { ensureTopics, partitionFor, type KafkaClusterOptions } from "#server/kafka/topics.js";

const SESSION_MS = 2000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts a sequencer child process and waits until it joined the group. */
async function spawnSequencer(cluster: KafkaClusterOptions): Promise<ChildProcess> {
  // The test runner marks its children with NODE_TEST_CONTEXT; a plain child must not inherit it.
  const { NODE_TEST_CONTEXT: _ignored, ...env } = process.env;
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.resolve("#server/kafka/sequencer/sequencer-process.js"))],
    {
      env: {
        ...env,
        PARLEY_KAFKA: cluster.brokers.join(","),
        PARLEY_KAFKA_PREFIX: cluster.topicPrefix,
        PARLEY_KAFKA_PARTITIONS: String(cluster.partitions),
        PARLEY_KAFKA_SESSION_MS: String(SESSION_MS),
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  child.stderr?.resume();
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  assert.match(chunk.toString(), /ready/);
  return child;
}

/** Publishes like a client: each message is retried with its cmid until acked. Records when each was first sent and acked. */
class Load {
  readonly acked = new Map<string, AppendResult>();
  readonly ackTimes = new Map<string, number[]>();
  private readonly sentAcked = new Map<string, { sent: number; acked: number }[]>();
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(log: () => KafkaLog, rooms: number | readonly string[], perSecond: number) {
    const names = typeof rooms === "number" ? Array.from({ length: rooms }, (_, r) => `room-${r}`) : rooms;
    for (const room of names) this.loops.push(this.room(log, room, 1000 / (perSecond / names.length)));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async room(log: () => KafkaLog, room: string, gapMs: number): Promise<void> {
    for (let i = 0; this.running; i++) {
      const cmid = `${room}-m${i}`;
      const sent = Date.now();
      for (;;) {
        try {
          const res = await log().append({ room, cmid, from: "u", kind: "message", body: { i } });
          this.acked.set(`${room}/${cmid}`, res);
          this.ackTimes.set(room, [...(this.ackTimes.get(room) ?? []), Date.now()]);
          this.sentAcked.set(room, [...(this.sentAcked.get(room) ?? []), { sent, acked: Date.now() }]);
          break;
        } catch {
          await sleep(100);
        }
      }
      await sleep(gapMs);
    }
  }

  /** Whether every room has been acked at least `n` times after `from`: sequencing resumed everywhere. */
  everyRoomAckedAfter(from: number, n: number): boolean {
    const rooms = [...this.ackTimes.values()];
    return rooms.length > 0 && rooms.every((times) => times.filter((t) => t > from).length >= n);
  }

  /** When the first publish to `room` sent at or after `from` was acked; undefined while none was. */
  firstAckOfSentAfter(room: string, from: number): number | undefined {
    return this.sentAcked.get(room)?.find((x) => x.sent >= from)?.acked;
  }

  /** Over all rooms, the longest time a room went without an ack after `from`: the failover time. */
  longestSilenceAfter(from: number): number {
    let worst = 0;
    for (const times of this.ackTimes.values()) {
      let prev = from;
      for (const t of times.filter((x) => x >= from)) {
        worst = Math.max(worst, t - prev);
        prev = t;
      }
    }
    return worst;
  }
}

/** A gateway's log on `cluster` (4 s append timeout); its closing and the topics' deletion go to `cleanups`. */
async function gatewayLog(cluster: KafkaClusterOptions, cleanups: (() => Promise<void>)[]): Promise<KafkaLog> {
  const history = new MemoryHistorySource(cluster);
  await history.start();
  const log = new KafkaLog({ cluster, history, appendTimeoutMs: 4000 });
  await log.start();
  cleanups.push(async () => {
    await log.close();
    await history.close();
    await deleteTestTopics(cluster);
  });
  return log;
}

/** Reads the whole events topic afresh and checks every invariant against what was acked. */
async function verify(cluster: KafkaClusterOptions, load: Load): Promise<number> {
  const history = new MemoryHistorySource(cluster);
  await history.start();
  await history.close();
  assert.deepEqual(history.anomalies, [], "no seq repeated or skipped in any room");
  let events = 0;
  for (const [room, list] of history.all()) {
    assert.deepEqual(
      list.map((e) => e.seq),
      list.map((_, i) => i + 1),
      `${room} is contiguous from 1`,
    );
    assert.equal(new Set(list.map((e) => e.cmid)).size, list.length, `${room} has no duplicate cmid`);
    // Each room's publisher sends its next message only after the previous one's ack: seq order is send order.
    const sent = list.map((e) => Number(e.cmid.slice(e.cmid.lastIndexOf("-m") + 2)));
    assert.deepEqual(
      sent,
      [...sent].sort((x, y) => x - y),
      `${room} is stored in send order`,
    );
    events += list.length;
  }
  for (const [key, res] of load.acked) {
    const [room] = key.split("/");
    const stored = history.all().get(room!)?.[res.event.seq - 1];
    assert.deepEqual(stored, res.event, `acked ${key} is stored with its acked seq`);
  }
  return events;
}

describe("sequencer failover (real broker)", () => {
  const children: ChildProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of children) c.kill("SIGKILL");
    for (const c of cleanups) await c().catch(() => {});
  });

  async function setup(label: string) {
    const cluster = testCluster(label);
    await ensureTopics(cluster);
    const a = await spawnSequencer(cluster);
    const b = await spawnSequencer(cluster);
    children.push(a, b);
    const log = await gatewayLog(cluster, cleanups);
    return { cluster, a, b, log };
  }

  it("kill -9 of a sequencer under load: the other takes over, no gap, duplicate or reused seq", async () => {
    const { cluster, a, log } = await setup("kill");
    const load = new Load(() => log, 8, 200);
    await waitUntil(() => load.acked.size >= 150, "150 acks before the kill");
    const killedAt = Date.now();
    a.kill("SIGKILL");
    // Through the failover and on until every room was acked 20 more times and 300 in all: what is checked, not how long.
    await waitUntil(
      () => load.everyRoomAckedAfter(killedAt, 20) && load.acked.size >= 300,
      "acks on every room after the kill",
    );
    await load.stop();
    const failover = load.longestSilenceAfter(killedAt);
    console.log(`# failover: longest ack silence after kill -9 ${failover} ms (session ${SESSION_MS} ms)`);
    const events = await verify(cluster, load);
    assert.ok(events >= load.acked.size && load.acked.size > 300, `acked ${load.acked.size}, stored ${events}`);
  });

  it("a zombie (paused past its session, then resumed) cannot produce a conflicting event", async () => {
    const { cluster, a, log } = await setup("zombie");
    const load = new Load(() => log, 8, 200);
    await waitUntil(() => load.acked.size >= 100, "100 acks before the pause");
    const pausedAt = Date.now();
    a.kill("SIGSTOP");
    // Paused past its session: the other sequencer takes its partitions and every room is acked again.
    await waitUntil(
      () => Date.now() - pausedAt > SESSION_MS && load.everyRoomAckedAfter(pausedAt + SESSION_MS, 5),
      "the takeover",
    );
    const resumedAt = Date.now();
    a.kill("SIGCONT");
    // The zombie is awake and fenced: appends go on while it tries to produce with its old epoch.
    await waitUntil(
      () => load.everyRoomAckedAfter(resumedAt, 20) && load.acked.size >= 300,
      "acks after the zombie woke",
    );
    await load.stop();
    await verify(cluster, load);
    assert.ok(load.acked.size >= 300);
  });
});

/** The partitions of the last `sequencer assignment` a `parley start --role sequencer` logged. */
function assignment(node: ClusterProcess): number[] {
  const line = node
    .output(100_000)
    .split("\n")
    .findLast((l) => l.includes('"sequencer assignment"'));
  return line ? (JSON.parse(line) as { partitions: number[] }).partitions : [];
}

describe("sequencer failover with the default settings (parley start --role sequencer)", () => {
  const nodes: ClusterProcess[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const n of nodes) await n.cleanup();
    for (const c of cleanups) await c().catch(() => {});
  });

  it("kill -9 of one of two sequencers: acks resume on its partitions, nothing lost, duplicated or reordered", async () => {
    const cluster = testCluster("defaults");
    const partitions = cluster.partitions!;
    await ensureTopics(cluster);
    // No session, heartbeat or timeout flag: the failover is the product's default one.
    const config: TestClusterConfig = {
      kafka: cluster.brokers.join(","),
      topicPrefix: cluster.topicPrefix!,
      partitions,
    };
    const [a, b] = [
      new ClusterProcess("sequencer", config, "sequencer-a"),
      new ClusterProcess("sequencer", config, "b"),
    ];
    nodes.push(a, b);
    await a.start();
    await b.start();
    await waitUntil(
      () => assignment(a).length > 0 && assignment(a).length + assignment(b).length === partitions,
      "the two sequencers to split the partitions",
    );
    const log = await gatewayLog(cluster, cleanups);
    const rooms = roomsOnEveryPartition("room", partitions, 2);
    const load = new Load(() => log, rooms, 200);
    await waitUntil(() => rooms.every((r) => load.firstAckOfSentAfter(r, 0) !== undefined), "acks in every room");
    const victims = rooms.filter((r) => assignment(a).includes(partitionFor(r, partitions)));
    assert.ok(victims.length > 0, "the sequencer to kill owns partitions");
    const killedAt = Date.now();
    await a.kill9();
    await waitUntil(
      () => victims.every((r) => load.firstAckOfSentAfter(r, killedAt) !== undefined),
      "acks on the killed sequencer's partitions",
    );
    const resumed = Math.max(...victims.map((r) => load.firstAckOfSentAfter(r, killedAt)! - killedAt));
    // Then steady again: every room keeps being acked by the survivor.
    const steadyFrom = Date.now();
    await waitUntil(() => load.everyRoomAckedAfter(steadyFrom, 5), "acks in every room after the takeover");
    await load.stop();
    console.log(`# failover with defaults: kill -9 → first ack on every partition it owned ${resumed} ms`);
    const events = await verify(cluster, load);
    assert.ok(events >= load.acked.size, `acked ${load.acked.size}, stored ${events}`);
  });
});
