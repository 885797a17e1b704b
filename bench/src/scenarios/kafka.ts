import { startClusterServices } from "../systems/cluster-services.js";
import { cpuUs } from "../proc-stats.js";
import { clusterSpace } from "../systems/start-system.js";
import { log, requireOpened, roomSpecs, sleep, withSystem, type BenchOptions } from "./common.js";
import { durable, type DurableResult } from "./durable.js";
import { fanout, type FanoutResult } from "./fanout.js";
import { idleCluster, type IdleClusterResult } from "./idle-cluster.js";

export interface KafkaResult {
  scenario: "kafka";
  /** Where the broker and PostgreSQL came from ("own": started and stopped by this run). */
  services: { kafka: "own" | "given"; postgres: "own" | "given" };
  fanout: FanoutResult;
  durable: DurableResult;
  /** Idle connections over three gateway processes (50 000 at full size). */
  idle: IdleClusterResult;
  /** CPU the broker (a JVM, when this run started it) used over both parts, in ms. */
  brokerCpuMs: number | undefined;
  rounds: { fanout: FanoutResult["rounds"]; durable: DurableResult["rounds"] };
}

/**
 * Scenario 6: fan-out (scenario 1) and durable publish (scenario 3) through
 * Kafka, then idle connections (scenario 4) over three gateway processes: `parley start --role all --kafka … --postgres …`, i.e. gateway,
 * sequencer and sink in one process, on a broker and a PostgreSQL this run
 * starts itself (unless PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL name running
 * ones). Same generator, same sizes, same pass rule as the embedded runs.
 */
export async function kafka(opts: BenchOptions): Promise<KafkaResult> {
  log("kafka: starting the broker and PostgreSQL");
  const cluster = await startClusterServices();
  log(`kafka: broker ${cluster.brokers} (${cluster.origin.kafka}), postgres ${cluster.origin.postgres}`);
  // One cluster space for the fan-out and durable rounds, as a deployment keeps its topics: every space
  // created and dropped on one broker made the broker's transactions slower for the rest of its life
  // (p50 at 100 msg/s 4 ms → 600–900 ms after five or six; back to 4 ms after a broker restart).
  const space = await clusterSpace(cluster);
  try {
    const start = { ...opts.start, cluster, space };
    const clusterOpts: BenchOptions = { ...opts, systems: ["parley-kafka"], start };
    await warmUp(clusterOpts);
    const broker = cluster.brokerPid;
    const broker0 = broker === undefined ? undefined : cpuUs(broker);
    const fan = await fanout(clusterOpts);
    const dur = await durable(clusterOpts);
    const brokerCpuMs =
      broker === undefined || broker0 === undefined ? undefined : Math.round((cpuUs(broker) - broker0) / 1000);
    const idle = await idleCluster({ ...clusterOpts, start: { ...start, space: undefined } }, cluster);
    return {
      scenario: "kafka",
      services: cluster.origin,
      fanout: fan,
      durable: dur,
      idle,
      brokerCpuMs,
      rounds: { fanout: fan.rounds, durable: dur.rounds },
    };
  } finally {
    await space.drop().catch(() => {});
    await cluster.stop();
  }
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
    const opened = await gen.open("parley-kafka", sys.port, roomSpecs(w.conns, 100, "warm"));
    requireOpened("parley-kafka", opened.ok, w.conns);
    const pubs = Array.from({ length: Math.ceil(w.conns / 100) }, (_, r) => r * 100);
    await gen.publish(pubs, w.rate, w.ms);
    await sleep(1_000);
  });
}
