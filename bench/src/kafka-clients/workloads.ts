/**
 * The three workloads of the `kafka-clients` benchmark, the same for every client: each times itself and
 * measures the CPU of this process (the client and, for librdkafka, its threads: `process.cpuUsage` covers
 * every thread) and of the broker when its pid is known, per record.
 */
import { cpuUs } from "../proc-stats.js";
import type { BenchClient, BenchRecord } from "./client.js";

export const PARTITIONS = 12;
const VALUE = Buffer.alloc(200, "x");

/** What one workload measured. */
export interface WorkloadResult {
  readonly records: number;
  readonly recordsPerSec: number;
  /** CPU of this process per record, µs (user + system). */
  readonly clientUsPerRecord: number;
  /** The broker's CPU per record, µs; undefined when the broker is not this run's own. */
  readonly brokerUsPerRecord: number | undefined;
  /** Transactions only: per transaction, begin → committed, ms. */
  readonly txnP50Ms?: number;
  readonly txnP99Ms?: number;
}

/** Sizes of one run. */
export interface WorkloadSizes {
  /** Records produced (and then consumed). */
  readonly produce: number;
  /** Transactions committed, each with `perPartition` records for every partition. */
  readonly transactions: number;
  readonly perPartition: number;
}

const record = (i: number): BenchRecord => ({
  partition: i % PARTITIONS,
  key: Buffer.from(`room-${i % 997}`),
  value: VALUE,
});

/** Starts a measurement; `done(records)` ends it. */
function measure(brokerPid: number | undefined) {
  const cpu0 = process.cpuUsage();
  const broker0 = brokerPid === undefined ? undefined : cpuUs(brokerPid);
  const t0 = performance.now();
  return (records: number, extra: Partial<WorkloadResult> = {}): WorkloadResult => {
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const brokerUs = brokerPid === undefined || broker0 === undefined ? undefined : cpuUs(brokerPid) - broker0;
    const round = (v: number) => Math.round(v * 100) / 100;
    return {
      records,
      recordsPerSec: Math.round((records / ms) * 1000),
      clientUsPerRecord: round((cpu.user + cpu.system) / records),
      brokerUsPerRecord: brokerUs === undefined ? undefined : round(brokerUs / records),
      ...extra,
    };
  };
}

/**
 * A gateway's pattern: one send in flight, each a batch of 100 (a gateway sends what arrived during the
 * send before; @platformatic/kafka's idempotent producer fails overlapping sends to one partition).
 */
export async function produce(client: BenchClient, topic: string, count: number, brokerPid?: number) {
  const producer = await client.producer();
  try {
    await producer.send(topic, [record(0)]); // connected and warm before the clock starts
    const done = measure(brokerPid);
    for (let from = 0; from < count; from += 100) {
      const n = Math.min(100, count - from);
      await producer.send(
        topic,
        Array.from({ length: n }, (_, k) => record(from + k)),
      );
    }
    return done(count);
  } finally {
    await producer.close();
  }
}

/** A sequencer's pattern: one transaction at a time, each with a few records for every partition. */
export async function transactions(client: BenchClient, topic: string, sizes: WorkloadSizes, brokerPid?: number) {
  const txns = await client.transactions(`${topic}-txn`);
  const perTxn = sizes.perPartition * PARTITIONS;
  const batch = Array.from({ length: perTxn }, (_, i) => record(i));
  try {
    await txns.commit(topic, batch); // initialised (InitProducerId) before the clock starts
    const done = measure(brokerPid);
    const times: number[] = [];
    for (let t = 0; t < sizes.transactions; t++) {
      const t0 = performance.now();
      await txns.commit(topic, batch);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round((times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? 0) * 10) / 10;
    return done(sizes.transactions * perTxn, { txnP50Ms: at(0.5), txnP99Ms: at(0.99) });
  } finally {
    await txns.close();
  }
}

/**
 * The readers' pattern: every partition of `topic` read_committed from the start, `count` records. Timed
 * from the call: what a client spends before its first record (a consumer group join for the KafkaJS-style
 * API, about 3 s of waiting but little CPU) is part of reading.
 */
export async function consume(client: BenchClient, topic: string, count: number, brokerPid?: number) {
  const done = measure(brokerPid);
  await client.consume(topic, PARTITIONS, count);
  return done(count);
}
