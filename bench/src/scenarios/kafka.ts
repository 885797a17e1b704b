import { startClusterServices } from "../systems/cluster-services.js";
import { cpuUs } from "../proc-stats.js";
import type { BenchOptions } from "./common.js";
import { log } from "./common.js";
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
  try {
    const clusterOpts: BenchOptions = { ...opts, systems: ["parley-kafka"], start: { ...opts.start, cluster } };
    const broker0 = cluster.brokerPid === undefined ? undefined : cpuUs(cluster.brokerPid);
    const fan = await fanout(clusterOpts);
    const dur = await durable(clusterOpts);
    const brokerCpuMs = broker0 === undefined ? undefined : Math.round((cpuUs(cluster.brokerPid!) - broker0) / 1000);
    const idle = await idleCluster(clusterOpts, cluster);
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
    await cluster.stop();
  }
}
