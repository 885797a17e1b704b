/**
 * Parley in cluster mode as a system under test, on the broker and PostgreSQL the kafka scenario
 * started: `parley-kafka` (`--role all`, one process) and `parley-kafka-split` (a sequencer, a sink and
 * two gateways, each its own process; clients are spread over the gateways, and CPU and RSS are the
 * sum over all four).
 */
import type { SystemName } from "../wire/wire.js";
import { clusterSpace, type ClusterRole } from "./cluster-services.js";
import { startParleyProcess, type StartOptions } from "./parley-process.js";
import type { RunningSystem } from "./system.js";

/** Gateways of the split cluster. */
const SPLIT_GATEWAYS = 2;
/** Longest wait for a process's /readyz (a fresh sequencer joins its group and takes its partitions). */
const READY_MS = 60_000;

/** `--role all` in a ClusterSpace (the shared one, or one of its own dropped at stop). */
export async function startParleyKafka(opts: StartOptions): Promise<RunningSystem> {
  return startCluster(opts, "parley-kafka", ["all"]);
}

/** One sequencer, one sink and two gateways, each a `parley start --role …` process, in a ClusterSpace. */
export async function startParleyKafkaSplit(opts: StartOptions): Promise<RunningSystem> {
  return startCluster(opts, "parley-kafka-split", ["sequencer", "sink", ...Array(SPLIT_GATEWAYS).fill("gateway")]);
}

/**
 * Starts one process per role, each waited for until ready: the first role alone (a sequencer creates
 * the topics and must own the partitions before a gateway publishes), then the rest at once. The
 * system's clients connect to the gateways (`all` serves clients too).
 */
async function startCluster(opts: StartOptions, name: SystemName, roles: ClusterRole[]): Promise<RunningSystem> {
  const cluster = opts.cluster;
  if (!cluster) throw new Error(`${name} runs inside the kafka scenario, which starts the broker and PostgreSQL`);
  const space = opts.space ?? (await clusterSpace(cluster));
  const started: { role: ClusterRole; p: RunningSystem }[] = [];
  const stop = async () => {
    // Gateways first, so no client publishes into a cluster whose sequencer is gone.
    const serving = started.filter((s) => s.role === "gateway");
    await Promise.all(serving.map((s) => s.p.stop()));
    await Promise.all(started.filter((s) => !serving.includes(s)).map((s) => s.p.stop()));
    if (!opts.space) await space.drop();
  };
  const startOne = async (role: ClusterRole) => {
    const p = await startParleyProcess(opts, name, space.args(role), { role });
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
  return joined(name, started, stop);
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
    stop,
  };
  return system;
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
