/**
 * What the routing bench reads from a running cluster at both ends of a measured window: each gateway's and
 * redistributor's counters from its /metrics, every process's CPU (/proc), the broker's CPU when its pid is
 * known, and the bytes the broker sent to the cluster's processes (broker-bytes.ts). `rates` turns two
 * snapshots into the per-second figures of a routing point.
 */
import { brokerSocketBytes, bytesBetween, type SocketBytes } from "../broker-bytes.js";
import { cpuUs } from "../proc-stats.js";
import type { RoutingCluster } from "../systems/routing-cluster.js";
import { fetchText, metricSum, type RunningSystem } from "../systems/system.js";
import type { ModelPoint } from "../routing-model/routing-points.js";

/** Counters of one process at one instant. */
interface ProcessCounters {
  cpuUs: number;
  /** Series name (with labels) → value, for the series the bench reads. */
  metrics: Record<string, number>;
}

export interface Snapshot {
  atMs: number;
  gateways: ProcessCounters[];
  redistributors: ProcessCounters[];
  brokerCpuUs: number;
  brokerBytes: SocketBytes;
}

/** Where the probe looks: the cluster, and the broker's port and (when this run started it) pid. */
export interface ProbeTarget {
  readonly cluster: RoutingCluster;
  readonly brokerPort: number;
  readonly brokerPid: number | undefined;
}

const READ = "parley_gateway_records_read_total";
const BYTES = "parley_gateway_bytes_read_total";
const DELIVERED = "parley_deliveries_total";
const REDISTRIBUTED = "parley_redistributor_records_total";

async function countersOf(p: RunningSystem, series: Record<string, [string, string[]]>): Promise<ProcessCounters> {
  const text = await fetchText(`http://127.0.0.1:${p.port}/metrics`);
  if (text === undefined) throw new Error(`${p.name} on port ${p.port}: no /metrics`);
  const metrics = Object.fromEntries(
    Object.entries(series).map(([k, [name, labels]]) => [k, metricSum(text, name, labels)]),
  );
  return { cpuUs: cpuUs(p.pid), metrics };
}

const GATEWAY_SERIES: Record<string, [string, string[]]> = {
  records: [READ, []],
  kafkaBytes: [BYTES, ['channel="kafka"']],
  directBytes: [BYTES, ['channel="direct"']],
  delivered: [DELIVERED, []],
};
const REDISTRIBUTOR_SERIES: Record<string, [string, string[]]> = {
  read: [REDISTRIBUTED, ['kind="read"']],
  forwarded: [REDISTRIBUTED, ['kind="forwarded"']],
};

/** Every counter the point needs, read as close together as the processes answer. */
export async function snapshot(t: ProbeTarget): Promise<Snapshot> {
  const pids = [...t.cluster.gateways, ...t.cluster.redistributors, ...t.cluster.others].map((p) => p.pid);
  const [gateways, redistributors, brokerBytes] = await Promise.all([
    Promise.all(t.cluster.gateways.map((g) => countersOf(g, GATEWAY_SERIES))),
    Promise.all(t.cluster.redistributors.map((r) => countersOf(r, REDISTRIBUTOR_SERIES))),
    brokerSocketBytes(t.brokerPort, pids),
  ]);
  const brokerCpuUs = t.brokerPid === undefined ? 0 : cpuUs(t.brokerPid);
  return { atMs: performance.now(), gateways, redistributors, brokerCpuUs, brokerBytes };
}

/** The `measured` part of a point the cluster gives (everything but the clients' events, deliveries and latency). */
export type ClusterRates = Omit<ModelPoint["measured"], "eventsPerSec" | "deliveredPerSec" | "latencyMs"> & {
  /** Records of the events topic per second: what an `everything` gateway reads, or the redistributors all read. */
  eventsTopicPerSec: number;
};

/** The per-second figures between two snapshots. `direct`: the gateways receive over the redistributors' streams. */
export function rates(a: Snapshot, b: Snapshot, direct: boolean): ClusterRates {
  const secs = (b.atMs - a.atMs) / 1000;
  const per = (x: ProcessCounters, y: ProcessCounters | undefined, k: string) =>
    ((x.metrics[k] ?? 0) - (y?.metrics[k] ?? 0)) / secs;
  const cpu = (x: ProcessCounters, y: ProcessCounters | undefined) => (x.cpuUs - (y?.cpuUs ?? 0)) / secs;
  const perGateway = b.gateways.map((g, i) => {
    const before = a.gateways[i];
    const received = per(g, before, "records");
    return {
      recordsReadPerSec: direct ? 0 : received,
      bytesReadPerSec: per(g, before, "kafkaBytes"),
      forwardedBytesPerSec: per(g, before, "directBytes"),
      recordsReceivedPerSec: received,
      deliveredPerSec: per(g, before, "delivered"),
      cpuUsPerSec: cpu(g, before),
    };
  });
  const redistributors = b.redistributors.map((r, i) => ({
    recordsReadPerSec: per(r, a.redistributors[i], "read"),
    forwardsPerSec: per(r, a.redistributors[i], "forwarded"),
    cpuUsPerSec: cpu(r, a.redistributors[i]),
  }));
  const eventsTopicPerSec =
    redistributors.length > 0
      ? redistributors.reduce((s, r) => s + r.recordsReadPerSec, 0)
      : Math.max(0, ...perGateway.map((g) => g.recordsReceivedPerSec));
  return {
    perGateway,
    redistributors,
    brokerOutBytesPerSec: bytesBetween(a.brokerBytes, b.brokerBytes) / secs,
    brokerCpuUsPerSec: (b.brokerCpuUs - a.brokerCpuUs) / secs,
    eventsTopicPerSec,
  };
}
