/**
 * `npm run bench -- kafka-clients`: the Kafka client libraries side by side on one broker, in the same run
 * (A B A B …): @platformatic/kafka, which Parley ships with, and @confluentinc/kafka-javascript
 * (librdkafka), built here from its registry package by scripts/ensure-confluent-kafka.sh. Each does the
 * three things Parley's cluster does (kafka-clients/workloads.ts); the results say what switching would buy
 * per record in client and broker CPU (docs/dependencies.md records the decision).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { Admin } from "@platformatic/kafka";
import type { BenchClient } from "../kafka-clients/client.js";
import { confluentClient } from "../kafka-clients/confluent.js";
import { platformaticClient } from "../kafka-clients/platformatic.js";
import {
  consume,
  PARTITIONS,
  produce,
  transactions,
  type WorkloadResult,
  type WorkloadSizes,
} from "../kafka-clients/workloads.js";
import { startClusterServices } from "../systems/cluster-services.js";
import { log, medianOf, type BenchOptions, type Scale } from "./common.js";

const ENSURE = fileURLToPath(new URL("../../../scripts/ensure-confluent-kafka.sh", import.meta.url));

const SIZES: Record<Scale, WorkloadSizes> = {
  full: { produce: 100_000, transactions: 400, perPartition: 8 },
  quick: { produce: 40_000, transactions: 150, perPartition: 8 },
  toy: { produce: 2_000, transactions: 10, perPartition: 2 },
};

/** One client's results in one round. */
interface ClientRound {
  readonly produce: WorkloadResult;
  readonly transactions: WorkloadResult;
  readonly consume: WorkloadResult;
}

export async function kafkaClients(opts: BenchOptions) {
  const dir = (await promisify(execFile)("bash", [ENSURE], { timeout: 900_000 })).stdout.trim();
  const services = await startClusterServices();
  const brokers = services.brokers.split(",");
  const clients = [platformaticClient(brokers), confluentClient(dir, brokers)];
  const sizes = SIZES[opts.scale];
  const admin = new Admin({ clientId: "bench-kafka-clients", bootstrapBrokers: brokers });
  const rounds: Record<string, ClientRound[]> = {};
  try {
    for (let r = 0; r < opts.rounds; r++) {
      // A B, then B A: neither client always runs on the broker the other has just warmed.
      const order = r % 2 === 0 ? clients : [...clients].reverse();
      for (const client of order) {
        log(`round ${r + 1}/${opts.rounds}: ${client.name}`);
        const place = { admin, prefix: `bench-kc-${Date.now()}`, brokerPid: services.brokerPid };
        (rounds[client.name] ??= []).push(await oneRound(client, place, sizes));
      }
    }
  } finally {
    await admin.close();
    await services.stop();
  }
  const summary = Object.fromEntries(Object.entries(rounds).map(([name, rs]) => [name, summarise(rs)]));
  for (const [name, s] of Object.entries(summary)) log(`${name}: ${JSON.stringify(s)}`);
  return { at: new Date().toISOString(), scale: opts.scale, sizes, broker: services.origin.kafka, summary, rounds };
}

/** Where one round runs: fresh topics named from `prefix`, made and dropped with `admin`. */
interface RoundPlace {
  readonly admin: Admin;
  readonly prefix: string;
  readonly brokerPid: number | undefined;
}

async function oneRound(client: BenchClient, place: RoundPlace, sizes: WorkloadSizes): Promise<ClientRound> {
  const { admin, prefix, brokerPid } = place;
  const [plain, txn] = [`${prefix}-produce`, `${prefix}-txn`];
  await admin.createTopics({ topics: [plain, txn], partitions: PARTITIONS, replicas: 1 });
  try {
    const produced = await produce(client, plain, sizes.produce, brokerPid);
    const committed = await transactions(client, txn, sizes, brokerPid);
    const consumed = await consume(client, plain, sizes.produce, brokerPid);
    return { produce: produced, transactions: committed, consume: consumed };
  } finally {
    await admin.deleteTopics({ topics: [plain, txn] });
  }
}

/** Medians over rounds of what the decision reads. */
function summarise(rs: readonly ClientRound[]) {
  const of = (part: keyof ClientRound) => ({
    recordsPerSec: medianOf(rs, (r) => r[part].recordsPerSec),
    clientUsPerRecord: medianOf(rs, (r) => r[part].clientUsPerRecord),
    brokerUsPerRecord: medianOf(rs, (r) => r[part].brokerUsPerRecord ?? NaN),
  });
  return {
    produce: of("produce"),
    transactions: { ...of("transactions"), txnP50Ms: medianOf(rs, (r) => r.transactions.txnP50Ms ?? NaN) },
    consume: of("consume"),
  };
}
