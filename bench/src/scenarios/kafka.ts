import { cpuUs, jitCpuUs } from "../proc-stats.js";
import { clusterSpace, startClusterServices } from "../systems/cluster-services.js";
import type { SystemName } from "../wire/wire.js";
import {
  KAFKA_PARTS,
  log,
  requireOpened,
  roomSpecs,
  sleep,
  withSystem,
  type BenchOptions,
  type RecordedOn,
} from "./common.js";
import { dms, type DmResult } from "./dms.js";
import { durable, type DurableResult } from "./durable.js";
import { fanout, type FanoutResult } from "./fanout.js";
import { idleCluster, type IdleClusterResult } from "./idle-cluster.js";

/** The systems the kafka scenario compares, in round order: embedded Parley beside the two cluster shapes. */
export const KAFKA_SYSTEMS: readonly SystemName[] = ["parley", "parley-kafka", "parley-kafka-split"];
/** Every system the kafka scenario can run, in round order (the baseline build right after the one it is compared with). */
const KAFKA_RUNNABLE: readonly SystemName[] = ["parley", "parley-kafka", "parley-kafka-base", "parley-kafka-split"];

export interface KafkaResult extends RecordedOn {
  scenario: "kafka";
  /** Where the broker and PostgreSQL came from ("own": started and stopped by this run). */
  services: { kafka: "own" | "given"; postgres: "own" | "given" };
  /** The systems measured, embedded Parley (the same run's reference) included when it ran. */
  systems: SystemName[];
  fanout?: FanoutResult;
  durable?: DurableResult;
  dms?: DmResult;
  /** Idle connections over three gateway processes (50 000 at full size). */
  idle?: IdleClusterResult;
  /** CPU the broker (a JVM, when this run started it) used over fan-out, durable and DMs, in ms. */
  brokerCpuMs: number | undefined;
  rounds: { fanout?: FanoutResult["rounds"]; durable?: DurableResult["rounds"]; dms?: DmResult["rounds"] };
}

/**
 * Scenario 6: fan-out (scenario 1), durable publish (scenario 3) and DMs (scenario 2) through Kafka,
 * each run on the embedded Parley, `parley start --role all` (gateway, sequencer and sink in one
 * process) and the roles split (a sequencer, a sink and two gateways as processes of their own; the
 * generator spreads connections over both gateways) in A B C rounds, so the embedded figures beside
 * them are of the same run; then idle connections (scenario 4) over three gateway processes. Same
 * generator, sizes and pass rules as the embedded scenarios; a split cluster's CPU is the sum over its
 * processes. The broker and PostgreSQL are this run's own (unless PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL
 * name running ones).
 */
export async function kafka(opts: BenchOptions): Promise<KafkaResult> {
  log("kafka: starting the broker and PostgreSQL");
  const cluster = await startClusterServices();
  log(`kafka: broker ${cluster.brokers} (${cluster.origin.kafka}), postgres ${cluster.origin.postgres}`);
  // One cluster space for every measured round of every system, as a deployment keeps its topics: every
  // space created and dropped on one broker made the broker's transactions slower for the rest of its
  // life (p50 at 100 msg/s 4 ms → 600–900 ms after five or six; back to 4 ms after a broker restart).
  const space = await clusterSpace(cluster);
  try {
    const start = { ...opts.start, cluster, space };
    const systems = kafkaSystems(opts.systems, opts.start.baselineCli !== undefined);
    const parts = new Set(opts.kafkaParts ?? KAFKA_PARTS);
    const clusterOpts: BenchOptions = { ...opts, systems, start };
    log(`kafka: ${[...parts].join(", ")} on ${systems.join(", ")}`);
    await warmUp(clusterOpts);
    const broker = cluster.brokerPid;
    if (broker !== undefined) await untilJitQuiet(clusterOpts, broker);
    const broker0 = broker === undefined ? undefined : cpuUs(broker);
    const fan = parts.has("fanout") ? await fanout(clusterOpts) : undefined;
    const dur = parts.has("durable") ? await durable(clusterOpts, { inProcess: false }) : undefined;
    const dm = parts.has("dms") ? await dms(clusterOpts) : undefined;
    const brokerCpuMs =
      broker === undefined || broker0 === undefined ? undefined : Math.round((cpuUs(broker) - broker0) / 1000);
    const idleOpts = { ...clusterOpts, start: { ...start, space: undefined } };
    const idle = parts.has("idle") ? await idleCluster(idleOpts, cluster) : undefined;
    return {
      scenario: "kafka",
      services: cluster.origin,
      systems,
      ...(fan && { fanout: fan }),
      ...(dur && { durable: dur }),
      ...(dm && { dms: dm }),
      ...(idle && { idle }),
      brokerCpuMs,
      rounds: { fanout: fan?.rounds, durable: dur?.rounds, dms: dm?.rounds },
    };
  } finally {
    await space.drop().catch(() => {});
    await cluster.stop();
  }
}

/**
 * `--systems` in its order when it names a Kafka-mode system (e.g. `--systems=parley-kafka-base,parley-kafka`),
 * else all three, and with `--baseline` the baseline's `--role all` after the current one's.
 */
function kafkaSystems(given: readonly SystemName[], baseline: boolean): SystemName[] {
  const named = given.filter((s) => KAFKA_RUNNABLE.includes(s));
  if (named.some((s) => s !== "parley")) return named;
  return KAFKA_RUNNABLE.filter((s) => KAFKA_SYSTEMS.includes(s) || (baseline && s === "parley-kafka-base"));
}

/** Warm-up load per scale: connections (rooms of 100), publishes per second over all rooms, and how long. */
const WARM_UP = {
  full: { conns: 1_000, rate: 200, ms: 15_000 },
  quick: { conns: 400, rate: 100, ms: 8_000 },
  toy: { conns: 10, rate: 20, ms: 500 },
};

/** Load before measuring, unrecorded: a fresh broker's JIT took ~8 s to bring 100 msg/s from p50 70 ms to 4 ms. */
async function warmUp(opts: BenchOptions): Promise<void> {
  const w = WARM_UP[opts.scale];
  log(`kafka: warming the broker up (${w.rate} msg/s for ${w.ms / 1000} s, not recorded)`);
  await withSystem("parley-kafka", opts, async ({ sys, gen }) => {
    const opened = await gen.open("parley-kafka", sys.ports, roomSpecs(w.conns, 100, "warm"));
    requireOpened("parley-kafka", opened.ok, w.conns);
    const pubs = Array.from({ length: Math.ceil(w.conns / 100) }, (_, r) => r * 100);
    await gen.publish(pubs, w.rate, w.ms);
    await sleep(1_000);
  });
}

/** Longest the JIT wait below runs, per scale; a chunk of it; and the JIT's share of a core counted as quiet. */
const JIT_WAIT = { full: 120_000, quick: 90_000, toy: 0 };
const JIT_CHUNK_MS = 4_000;
const JIT_QUIET_CORES = 0.1;

/**
 * Drives the durable part's closed loop (200 publishers, each alone in a room, 20 in flight), unrecorded,
 * until the broker's JIT compiler threads use less than a tenth of a core over a chunk. A fresh broker
 * compiles its hot paths for minutes: in `--quick` runs that followed only the warm-up above, its compilers
 * were 50 of the broker's 70 µs per durable ack, and the CPU they took from the two cores cut Kafka mode's
 * acks from ~16 000/s to ~10 000/s (docs/performance.md, "What this machine allows").
 */
async function untilJitQuiet(opts: BenchOptions, broker: number): Promise<void> {
  const maxMs = JIT_WAIT[opts.scale];
  if (maxMs === 0) return;
  const started = performance.now();
  await withSystem("parley-kafka", opts, async ({ sys, gen }) => {
    const specs = Array.from({ length: 200 }, (_, i) => ({ user: `jit${i}`, room: `jit${i}` }));
    requireOpened("parley-kafka", (await gen.open("parley-kafka", sys.ports, specs)).ok, specs.length);
    const pubs = specs.map((_, i) => i);
    for (;;) {
      const jit0 = jitCpuUs(broker);
      const t0 = performance.now();
      await gen.closedLoop(pubs, 20, JIT_CHUNK_MS);
      const cores = (jitCpuUs(broker) - jit0) / 1000 / (performance.now() - t0);
      const elapsed = performance.now() - started;
      if (cores < JIT_QUIET_CORES || elapsed >= maxMs) {
        log(
          `kafka: the broker's JIT at ${cores.toFixed(2)} cores after ${Math.round(elapsed / 1000)} s of closed loop`,
        );
        return;
      }
    }
  });
}
