/**
 * Runs one SequencerService in its own process, for failover tests (kill -9,
 * SIGSTOP/SIGCONT). Env: PARLEY_KAFKA (brokers, comma-separated),
 * PARLEY_KAFKA_PREFIX, PARLEY_KAFKA_PARTITIONS, PARLEY_KAFKA_SESSION_MS.
 * Prints `ready` once it joined the group, and `fenced <p>` lines on stderr.
 */
import { SequencerService } from "./sequencer-service.js";

const env = process.env;
const service = new SequencerService({
  cluster: {
    brokers: (env.PARLEY_KAFKA ?? "").split(","),
    topicPrefix: env.PARLEY_KAFKA_PREFIX,
    partitions: Number(env.PARLEY_KAFKA_PARTITIONS ?? 4),
  },
  sessionTimeoutMs: Number(env.PARLEY_KAFKA_SESSION_MS ?? 3000),
  logger: {
    info: () => {},
    warn: (o: { partition?: number; err?: unknown }, msg: string) =>
      process.stderr.write(`${msg} ${o.partition ?? ""} ${String((o.err as Error)?.message ?? "")}\n`),
  } as never,
});
await service.start();
process.stdout.write("ready\n");
process.on("SIGTERM", () => void service.close().then(() => process.exit(0)));
