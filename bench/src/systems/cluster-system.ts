/**
 * Parley in cluster mode as a system under test, on the broker and PostgreSQL the kafka scenario
 * started: `parley-kafka` (`--role all`, one process) and `parley-kafka-split` (a sequencer, a sink and
 * two gateways, each its own process; clients are spread over the gateways, and CPU and RSS are the
 * sum over all four), and `parley-kafka-base`, `--role all` of the `--baseline` build for a same-run A/B.
 */
import type { SystemName } from "../wire/wire.js";
import { clusterSpace, type ClusterRole, type ClusterSpace } from "./cluster-services.js";
import { startParleyProcess, type StartOptions } from "./parley-process.js";
import { fetchText, metricSum, type RunningSystem } from "./system.js";

/** Gateways of the split cluster. */
const SPLIT_GATEWAYS = 2;
/** Longest wait for a process's /readyz (a fresh sequencer joins its group and takes its partitions). */
const READY_MS = 60_000;
/**
 * Longest wait for every consumer to catch up before a round. A sink is the one that lags: the durable closed
 * loop publishes faster than it writes PostgreSQL, and the next round's process inherits the backlog.
 */
const CATCH_UP_MS = 300_000;

/** `--role all` in a ClusterSpace (the shared one, or one of its own dropped at stop). */
export async function startParleyKafka(opts: StartOptions): Promise<RunningSystem> {
  return startCluster(opts, "parley-kafka", ["all"]);
}

/** `--role all` of the baseline build (`--baseline=<cli>`), on the same topics and database as `parley-kafka`. */
export async function startParleyKafkaBase(opts: StartOptions): Promise<RunningSystem> {
  if (!opts.baselineCli) throw new Error("parley-kafka-base needs --baseline=<path to a built cli/main.js>");
  return startCluster(opts, "parley-kafka-base", ["all"], opts.baselineCli);
}

/** One sequencer, one sink and two gateways, each a `parley start --role …` process, in a ClusterSpace. */
export async function startParleyKafkaSplit(opts: StartOptions): Promise<RunningSystem> {
  return startCluster(opts, "parley-kafka-split", ["sequencer", "sink", ...Array(SPLIT_GATEWAYS).fill("gateway")]);
}

/** The system's clients connect to the gateways (`all` serves clients too); a space of its own is dropped at stop. */
async function startCluster(
  opts: StartOptions,
  name: SystemName,
  roles: ClusterRole[],
  cli?: string,
): Promise<RunningSystem> {
  const cluster = opts.cluster;
  if (!cluster) throw new Error(`${name} runs inside the kafka scenario, which starts the broker and PostgreSQL`);
  const space = opts.space ?? (await clusterSpace(cluster));
  const { started, stop } = await startRoles(opts, name, roles, {
    space,
    ...(cli && { cli }),
    ...(!opts.space && { afterStop: () => space.drop() }),
  });
  return joined(name, started, stop);
}

/** Processes started by role, and how to stop them all. */
export interface StartedRoles {
  readonly started: { role: ClusterRole; p: RunningSystem }[];
  stop(): Promise<void>;
}

/** Where and how startRoles starts each process. */
export interface RoleStart {
  /** The topics, group and database the processes share (their `--role` arguments). */
  readonly space: ClusterSpace;
  /** More `parley start` flags for every process. */
  readonly args?: readonly string[];
  /** False: wait for /readyz only, not first for the port (a gateway warming its buffer listens late). */
  readonly listens?: boolean;
  /** The build's `cli/main.js`. Default: the current build's. */
  readonly cli?: string;
  /** Run once every process stopped. */
  readonly afterStop?: () => Promise<void>;
}

/**
 * Starts one `parley start --role …` process per role in `how.space`, each waited for until ready: the first
 * role alone (a sequencer creates the topics and must own the partitions before a gateway publishes), then
 * the rest at once. A start that fails stops what started. `stop` stops the gateways first, so no client
 * publishes into a cluster whose sequencer is gone.
 */
export async function startRoles(
  opts: StartOptions,
  name: SystemName,
  roles: readonly ClusterRole[],
  how: RoleStart,
): Promise<StartedRoles> {
  const started: { role: ClusterRole; p: RunningSystem }[] = [];
  const stop = async () => {
    const serving = started.filter((s) => s.role === "gateway");
    await Promise.all(serving.map((s) => s.p.stop()));
    await Promise.all(started.filter((s) => !serving.includes(s)).map((s) => s.p.stop()));
    await how.afterStop?.();
  };
  const startOne = async (role: ClusterRole) => {
    const args = [...how.space.args(role), ...(how.args ?? [])];
    const p = await startParleyProcess(opts, name, args, { role, listens: how.listens ?? true, cli: how.cli });
    started.push({ role, p });
    await waitReady(p.port, `${name} ${role}`);
  };
  try {
    const [first, ...rest] = roles;
    if (first !== undefined) await startOne(first);
    // Settled, not all: a start that fails must not leave the others running unstopped.
    const failed = (await Promise.allSettled(rest.map(startOne))).find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (err) {
    await stop();
    throw err;
  }
  return { started, stop };
}

/** One RunningSystem of the processes: connections go to the gateways, CPU and RSS are summed over all. */
function joined(name: SystemName, started: { role: ClusterRole; p: RunningSystem }[], stop: () => Promise<void>) {
  const clientFacing = started.filter((s) => s.role === "gateway" || s.role === "all").map((s) => s.p);
  const [front] = clientFacing;
  if (!front) throw new Error(`${name}: no gateway among ${started.map((s) => s.role).join(", ")}`);
  const system: RunningSystem = {
    name,
    pid: front.pid,
    port: front.port,
    processes: started.map((s) => ({ role: s.role, pid: s.p.pid })),
    ports: clientFacing.map((p) => p.port),
    async heapUsed() {
      const heaps = await Promise.all(started.map((s) => s.p.heapUsed()));
      return heaps.every((h) => h !== undefined) ? heaps.reduce((a, h) => a + (h ?? 0), 0) : undefined;
    },
    collectGarbage: async () => void (await Promise.all(started.map((s) => s.p.collectGarbage()))),
    caughtUp: () =>
      caughtUp(
        name,
        started.map((s) => s.p.port),
      ),
    stop,
  };
  return system;
}

/** Waits until the summed `parley_consumer_lag` of every process is 0; answers the first sum and the wait. */
async function caughtUp(name: SystemName, ports: readonly number[]): Promise<{ behind: number; ms: number }> {
  const started = Date.now();
  let behind: number | undefined;
  for (;;) {
    const texts = await Promise.all(ports.map((p) => fetchText(`http://127.0.0.1:${p}/metrics`)));
    if (texts.some((t) => t === undefined)) throw new Error(`${name}: a process did not answer /metrics`);
    const lag = texts.reduce((sum, t) => sum + metricSum(t ?? "", "parley_consumer_lag"), 0);
    behind ??= lag;
    if (lag === 0) return { behind, ms: Date.now() - started };
    if (Date.now() - started > CATCH_UP_MS)
      throw new Error(`${name}: still ${lag} records behind after ${CATCH_UP_MS} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Resolves once `port` answers /readyz with 200. */
export async function waitReady(port: number, what: string): Promise<void> {
  const deadline = Date.now() + READY_MS;
  let last = "no answer";
  while (Date.now() < deadline) {
    const res = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    if (res?.ok) return;
    if (res) last = `${res.status} ${await res.text()}`;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not ready after ${READY_MS} ms (${last})`);
}
