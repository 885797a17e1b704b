/**
 * Cluster-mode benchmark on a real broker: publish→deliver latency through
 * Kafka at steady rates, and the time a sequencer failover takes.
 *
 *   node packages/server/dist/bench/kafka-latency.js --kafka=host:port [--seconds=10] [--rates=1000,10000]
 *        [--rooms=100] [--partitions=4] [--session-ms=3000] [--no-failover] [--timeline]
 *
 * Shape: sequencers run as child processes (sequencer-process.js); two
 * gateways (KafkaLog) run in this process: one publishes, the other
 * delivers, so "publish→deliver" is append() on gateway A to the listener
 * call on gateway B (one clock). Ack latency (append resolved on A) is
 * reported too. The load is open-loop: messages are sent when due, not when
 * the previous one was acked, so a slow system cannot hide its queueing.
 * Failover: two sequencers at 1k msg/s, kill -9 one; the failover time is
 * the longest any room went without an ack across the kill. Prints JSON.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { KafkaLog } from "#server/kafka/log/kafka-log.js";
import { MemoryHistorySource } from "../support/memory-history-source.js";
import { deleteTestTopics } from "../support/test-kafka.js";
import { ensureTopics, type KafkaClusterOptions } from "#server/kafka/topics.js";
import { createLatencyRecorder, type LatencyRecorder } from "./latency-recorder.js";

interface Args {
  readonly brokers: string[];
  readonly seconds: number;
  readonly rates: number[];
  readonly rooms: number;
  readonly partitions: number;
  readonly sessionMs: number;
  readonly failover: boolean;
  /** Print, per 500 ms of send time, how many were sent and their slowest delivery (to stderr). */
  readonly timeline: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function parseArgs(argv: string[]): Args {
  const get = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const kafka = get("kafka") ?? process.env.PARLEY_TEST_KAFKA ?? process.env.PARLEY_KAFKA;
  if (!kafka) throw new Error("give --kafka=host:port (or PARLEY_TEST_KAFKA); scripts/kafka/start.sh starts one");
  return {
    brokers: kafka.split(","),
    seconds: Number(get("seconds") ?? 10),
    rates: (get("rates") ?? "1000,10000").split(",").map(Number),
    rooms: Number(get("rooms") ?? 100),
    partitions: Number(get("partitions") ?? 4),
    sessionMs: Number(get("session-ms") ?? 3000),
    failover: !argv.includes("--no-failover"),
    timeline: argv.includes("--timeline"),
  };
}

/** SIGTERM (the sequencer aborts its open transactions), SIGKILL after 10 s; resolves once it exited. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A sequencer child process, ready once it joined the group. */
async function spawnSequencer(cluster: KafkaClusterOptions, sessionMs: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [fileURLToPath(import.meta.resolve("#server/kafka/sequencer/sequencer-process.js"))],
    {
      env: {
        ...process.env,
        PARLEY_KAFKA: cluster.brokers.join(","),
        PARLEY_KAFKA_PREFIX: cluster.topicPrefix,
        PARLEY_KAFKA_PARTITIONS: String(cluster.partitions),
        PARLEY_KAFKA_SESSION_MS: String(sessionMs),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await once(child.stdout!, "data");
  return child;
}

/** A fresh topic set with sequencers and two gateways (publisher, receiver). */
async function openCluster(args: Args, label: string, sequencers: number) {
  const cluster: KafkaClusterOptions = {
    brokers: args.brokers,
    topicPrefix: `bench.${label}.${process.pid}.${Date.now().toString(36)}.`,
    partitions: args.partitions,
    replication: 1,
    clientId: "parley-bench",
  };
  await ensureTopics(cluster);
  const children = await Promise.all(Array.from({ length: sequencers }, () => spawnSequencer(cluster, args.sessionMs)));
  const history = new MemoryHistorySource(cluster);
  await history.start();
  const publisher = new KafkaLog({ cluster, history, appendTimeoutMs: 60_000 });
  const receiver = new KafkaLog({ cluster, history });
  await Promise.all([publisher.start(), receiver.start()]);
  return {
    children,
    publisher,
    receiver,
    async close() {
      // SIGTERM: the sequencer aborts its open transactions instead of leaving them to time out.
      await Promise.all(children.map(stopChild));
      await Promise.all([publisher.close(), receiver.close()]);
      await history.close();
      await deleteTestTopics(cluster);
    },
  };
}

interface Load {
  sent: number;
  acked: number;
  failed: number;
  readonly ackTimes: Map<string, number[]>;
}

/** An open-loop load: `rate` msg/s over `rooms` rooms for `seconds`; each send time goes into `sentAt`. */
interface LoadShape {
  rate: number;
  rooms: number;
  seconds: number;
  sentAt: Map<string, number>;
}

/** Sends the load open-loop and records every ack's latency. */
async function runLoad(log: KafkaLog, shape: LoadShape) {
  const { rate, rooms, seconds, sentAt } = shape;
  const tag = Math.random().toString(36).slice(2, 8);
  const load: Load = { sent: 0, acked: 0, failed: 0, ackTimes: new Map() };
  const ack = await createLatencyRecorder();
  const started = performance.now();
  const pending: Promise<void>[] = [];
  while (performance.now() - started < seconds * 1000) {
    const due = Math.floor(((performance.now() - started) / 1000) * rate);
    for (; load.sent < due; load.sent++) {
      const room = `room-${load.sent % rooms}`;
      const cmid = `${tag}-${load.sent}`;
      const t0 = performance.now();
      sentAt.set(cmid, t0);
      pending.push(
        log.append({ room, cmid, from: "bench", kind: "message", body: { n: load.sent } }).then(
          () => {
            ack.record((performance.now() - t0) * 1000);
            load.acked++;
            const times = load.ackTimes.get(room) ?? [];
            times.push(Date.now());
            load.ackTimes.set(room, times);
          },
          () => void load.failed++,
        ),
      );
    }
    await sleep(2);
  }
  await Promise.all(pending);
  return { load, ack };
}

const ms = (r: LatencyRecorder, p: number) => Math.round(r.percentile(p) / 100) / 10;

interface Sample {
  readonly t0: number;
  readonly room: string;
  readonly deliverMs: number;
  readonly toSequencerMs: number;
}

/** Per 500 ms of send time: messages, median and slowest delivery, and the slowest one's room and share before sequencing. */
function printTimeline(rate: number, samples: readonly Sample[]): void {
  if (samples.length === 0) return;
  const start = Math.min(...samples.map((x) => x.t0));
  const buckets = new Map<number, Sample[]>();
  for (const x of samples) {
    const b = Math.floor((x.t0 - start) / 500);
    const bucket = buckets.get(b);
    if (bucket) bucket.push(x);
    else buckets.set(b, [x]);
  }
  for (const [b, xs] of [...buckets].sort((a, z) => a[0] - z[0])) {
    const sorted = [...xs].sort((a, z) => a.deliverMs - z.deliverMs);
    const worst = sorted.at(-1)!;
    const p50 = sorted[Math.floor(sorted.length / 2)]!.deliverMs;
    console.error(
      `${rate}/s t=${(b / 2).toFixed(1)}s n=${xs.length} p50=${p50.toFixed(1)} max=${worst.deliverMs.toFixed(1)} ms (${worst.room}, ${worst.toSequencerMs.toFixed(1)} before sequencing)`,
    );
  }
}

async function measureLatency(args: Args, rate: number) {
  const c = await openCluster(args, `lat${rate}`, 1);
  try {
    const sentAt = new Map<string, number>();
    const deliver = await createLatencyRecorder();
    // Split at the event's ts (the sequencer's clock, this machine's too): queueing before sequencing vs commit → delivery.
    const toSequencer = await createLatencyRecorder();
    const fromSequencer = await createLatencyRecorder();
    const warm = new Map<string, number>();
    const samples: Sample[] = [];
    c.receiver.subscribe((e) => {
      const t0 = sentAt.get(e.cmid);
      if (t0 === undefined) return;
      const now = performance.now();
      const sequencedAt = now - (Date.now() - e.ts);
      if (args.timeline) samples.push({ t0, room: e.room, deliverMs: now - t0, toSequencerMs: sequencedAt - t0 });
      deliver.record((now - t0) * 1000);
      toSequencer.record(Math.max(0, sequencedAt - t0) * 1000);
      fromSequencer.record(Math.max(0, now - sequencedAt) * 1000);
    });
    await runLoad(c.publisher, { rate: Math.min(rate, 1000), rooms: args.rooms, seconds: 1, sentAt: warm }); // warm-up, not recorded
    const { load, ack } = await runLoad(c.publisher, { rate, rooms: args.rooms, seconds: args.seconds, sentAt });
    await sleep(500);
    if (args.timeline) printTimeline(rate, samples);
    return {
      rate,
      achieved: Math.round(load.acked / args.seconds),
      failed: load.failed,
      deliverP50Ms: ms(deliver, 50),
      deliverP99Ms: ms(deliver, 99),
      deliverMaxMs: Math.round(deliver.max() / 1000),
      delivered: deliver.count(),
      toSequencerP50Ms: ms(toSequencer, 50),
      toSequencerP99Ms: ms(toSequencer, 99),
      sequencedToDeliverP50Ms: ms(fromSequencer, 50),
      sequencedToDeliverP99Ms: ms(fromSequencer, 99),
      ackP50Ms: ms(ack, 50),
      ackP99Ms: ms(ack, 99),
    };
  } finally {
    await c.close();
  }
}

/** Longest time any room went without an ack, over acks after `from`. */
function longestSilence(load: Load, from: number): number {
  let worst = 0;
  for (const times of load.ackTimes.values()) {
    let prev = from;
    for (const t of times.filter((x) => x >= from)) {
      worst = Math.max(worst, t - prev);
      prev = t;
    }
  }
  return worst;
}

async function measureFailover(args: Args, signal: "SIGKILL" | "SIGTERM") {
  const c = await openCluster(args, `fo${signal}`, 2);
  try {
    let killedAt = 0;
    const killer = sleep(2000).then(() => {
      killedAt = Date.now();
      c.children[0]!.kill(signal);
    });
    const { load } = await runLoad(c.publisher, {
      rate: 1000,
      rooms: args.rooms,
      seconds: Math.max(8, args.sessionMs / 1000 + 5),
      sentAt: new Map(),
    });
    await killer;
    return { signal, sessionMs: args.sessionMs, failoverMs: longestSilence(load, killedAt), failed: load.failed };
  } finally {
    await c.close();
  }
}

const args = parseArgs(process.argv.slice(2));
const latency = [];
for (const rate of args.rates) latency.push(await measureLatency(args, rate));
const failover = [];
if (args.failover) for (const s of ["SIGKILL", "SIGTERM"] as const) failover.push(await measureFailover(args, s));
console.log(JSON.stringify({ rooms: args.rooms, partitions: args.partitions, latency, failover }, null, 2));
process.exit(0);
