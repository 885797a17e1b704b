import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import pg from "pg";
import { deleteTestTopics } from "@parley/server/testing/test-kafka.js";

const SCRIPTS = fileURLToPath(new URL("../../../scripts/", import.meta.url));
const run = promisify(execFile);

/** The Kafka broker and PostgreSQL a cluster-mode Parley runs on during a benchmark. */
export interface ClusterServices {
  readonly brokers: string;
  readonly postgresUrl: string;
  /** pid of the broker when this run started it (its CPU is sampled too), else undefined. */
  readonly brokerPid: number | undefined;
  /** "own" when this run started them (and stops them), "given" for PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL. */
  readonly origin: { kafka: "own" | "given"; postgres: "own" | "given" };
  stop(): Promise<void>;
}

/**
 * Starts what Kafka mode needs: a single-node broker (scripts/kafka/start.sh
 * into a temp dir) unless PARLEY_TEST_KAFKA names one, and a throwaway
 * PostgreSQL (scripts/postgres/start.sh with its own state file) unless
 * PARLEY_TEST_PG_URL names one. `stop` stops and deletes only what it started.
 */
export async function startClusterServices(): Promise<ClusterServices> {
  const dir = mkdtempSync(join(tmpdir(), "parley-bench-cluster-"));
  const env = { ...process.env, PARLEY_KAFKA_RECORD_CURRENT: "0", PARLEY_PG_STATE: join(dir, "pg.state") };
  const givenKafka = process.env.PARLEY_TEST_KAFKA;
  const givenPg = process.env.PARLEY_TEST_PG_URL;
  const kafkaDir = join(dir, "kafka");
  const script = (path: string, args: string[] = []) =>
    run("bash", [join(SCRIPTS, path), ...args], { env, timeout: 180_000 }).then((r) => r.stdout.trim());
  const brokers = givenKafka ?? (await script("kafka/start.sh", [kafkaDir]));
  const pgEnv = { ...env, PARLEY_TEST_PG_URL: "" };
  const postgresUrl =
    givenPg ??
    (await run("bash", [join(SCRIPTS, "postgres/start.sh")], { env: pgEnv, timeout: 120_000 })).stdout.trim();
  return {
    brokers,
    postgresUrl,
    brokerPid: givenKafka ? undefined : Number(readFileSync(join(kafkaDir, "kafka.pid"), "utf8")),
    origin: { kafka: givenKafka ? "given" : "own", postgres: givenPg ? "given" : "own" },
    async stop() {
      if (!givenPg) await script("postgres/stop.sh").catch(() => {});
      if (!givenKafka) await script("kafka/stop.sh", [kafkaDir, "--purge"]).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A topic prefix and a fresh database for one cluster-mode Parley (any number of processes); `drop` removes both. */
export interface ClusterSpace {
  /** `parley start` flags of one process of this cluster in `role`. */
  args(role: ClusterRole): string[];
  drop(): Promise<void>;
}

/** What `--role` a cluster-mode process runs. */
export type ClusterRole = "all" | "gateway" | "sequencer" | "sink" | "redistributor";

export async function clusterSpace(cluster: ClusterServices): Promise<ClusterSpace> {
  const topicPrefix = `bench.${randomUUID().slice(0, 8)}.`;
  const db = await freshDatabase(cluster.postgresUrl);
  const brokers = cluster.brokers.split(",");
  return {
    args: (role) => ["--kafka", cluster.brokers, "--postgres", db.url, "--role", role, "--topic-prefix", topicPrefix],
    async drop() {
      await db.drop();
      await deleteTestTopics({ brokers, topicPrefix, partitions: 1, replication: 1, clientId: "parley-bench" });
    },
  };
}

/** A fresh database on the server of `url` for one cluster-mode Parley run; `drop` removes it. */
export async function freshDatabase(url: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `bench_${randomUUID().replaceAll("-", "").slice(0, 12)}`;
  await adminQuery(url, `CREATE DATABASE ${name}`);
  const u = new URL(url);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: () => adminQuery(url, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => {}),
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
