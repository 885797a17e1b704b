/**
 * The Kafka broker and PostgreSQL that `npm run chaos -- --cluster` needs:
 * PARLEY_TEST_KAFKA / PARLEY_TEST_PG_URL when set, otherwise a throwaway
 * broker and server of the run's own (scripts/kafka, scripts/postgres),
 * stopped again at the end. The test never uses this: it must not start
 * services behind the suite's back, and fails when they are missing.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const SCRIPTS = fileURLToPath(new URL("../../../../scripts/", import.meta.url));

/** Services for a cluster run; `stop` stops only what was started here. */
export interface ClusterServices {
  readonly kafka: string;
  readonly postgres: string;
  stop(): Promise<void>;
}

/**
 * Uses or starts a broker and PostgreSQL; sets PARLEY_TEST_PG_URL, which the cluster fixture reads. Without
 * `needKafka` (a target that runs a broker of its own) no broker is started and `kafka` is empty.
 */
export async function ensureClusterServices(log: (line: string) => void, needKafka = true): Promise<ClusterServices> {
  const dir = mkdtempSync(join(tmpdir(), "parley-chaos-cluster-"));
  // Own state file and no .kafka/current record: a developer's broker and PostgreSQL stay untouched.
  const env = { ...process.env, PARLEY_KAFKA_RECORD_CURRENT: "0", PARLEY_PG_STATE: join(dir, "pg.state") };
  const stops: Array<() => Promise<unknown>> = [];
  const stop = async (): Promise<void> => {
    for (const s of stops.reverse()) await s().catch((err: Error) => log(`stop: ${err.message}`));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    let kafka = needKafka ? process.env.PARLEY_TEST_KAFKA : undefined;
    if (needKafka && !kafka) {
      log("starting a throwaway Kafka broker");
      const kafkaDir = join(dir, "kafka");
      stops.push(() => run("bash", [join(SCRIPTS, "kafka/stop.sh"), kafkaDir, "--purge"], { env, timeout: 60_000 }));
      kafka = await script("kafka/start.sh", [kafkaDir], env);
    }
    let postgres = process.env.PARLEY_TEST_PG_URL;
    if (!postgres) {
      log("starting a throwaway PostgreSQL");
      stops.push(() => run("bash", [join(SCRIPTS, "postgres/stop.sh")], { env, timeout: 60_000 }));
      postgres = await script("postgres/start.sh", [], env);
      process.env.PARLEY_TEST_PG_URL = postgres;
    }
    return { kafka: kafka ?? "", postgres, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function script(path: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { stdout } = await run("bash", [join(SCRIPTS, path), ...args], { env, timeout: 180_000 });
  return stdout.trim();
}
