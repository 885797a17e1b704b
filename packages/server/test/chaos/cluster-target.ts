/**
 * The cluster target: 3 gateways, 2 sequencers and a sink as real child
 * processes (cluster/cluster-fixture.ts) on a Kafka broker and a fresh
 * PostgreSQL database. Each gateway sits behind its own {@link TcpProxy};
 * a client has a home gateway but reconnects to another one now and then
 * (and always when its home is down), as behind a load balancer. SDK
 * clients on SSE go through a round-robin balancer over those proxies
 * (test/support/round-robin-balancer.ts): each stream and each POST to the
 * next gateway, no sticky sessions.
 * With `routing: "redistributed"` the gateways get their events from two
 * redistributors (forwarding over Kafka or direct), the cluster runs on a
 * Kafka broker of its own, and routing-faults.ts adds its faults, the
 * broker's restart among them.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { TestCluster } from "../support/cluster-fixture.js";
import { RoundRobinBalancer } from "../support/round-robin-balancer.js";
import { OwnBroker } from "../support/test-kafka.js";
import type { ChaosTarget, Fault } from "./chaos-target.js";
import { clusterFaults, healCluster, type ClusterFaultTimings } from "./cluster-faults.js";
import type { RoomHistory } from "./history.js";
import { DEFAULT_ROUTING_TIMINGS, routingFaults, type RoutingFaultTimings } from "./routing-faults.js";
import { RoutingProbe } from "./routing-probe.js";
import { TcpProxy } from "./tcp-proxy.js";

/** Options for {@link startClusterTarget}; every field has a default for the long run. */
export interface ClusterTargetOptions extends Partial<ClusterFaultTimings>, Partial<RoutingFaultTimings> {
  /**
   * Kafka brokers (default PARLEY_TEST_KAFKA; ignored with redistributed routing, which restarts a broker of its
   * own). PostgreSQL always comes from PARLEY_TEST_PG_URL.
   */
  readonly kafka?: string;
  /** The gateways' `--routing` (default everything). */
  readonly routing?: "everything" | "redistributed";
  /** The gateways' `--forwarding` with redistributed routing (default kafka). */
  readonly forwarding?: "kafka" | "direct";
  /** Pause between two proxy faults of each kind (default 400–1500 ms). */
  readonly netEveryMs?: readonly [number, number];
  /** Longest wait for the sink to write everything the gateways hold (default 60 s). */
  readonly sinkCatchUpMs?: number;
}

/** Short enough that a paused sequencer is expelled within the run, long enough not to flap under load. */
const SESSION_TIMEOUT_MS = 3_000;
/** Chance that a reconnect goes to another gateway than the client's home one. */
const MOVE_CHANCE = 0.3;

/**
 * JWT auth instead of the fixture's dev mode (`--no-dev` wins, being last), fast heartbeats
 * and the default per-connection publish limit (the SDK publisher runs above it) as in the embedded run.
 */
function nodeArgs(jwtSecret: string): string[] {
  return [
    ["--no-dev", "--jwt-secret", jwtSecret],
    ["--publish-rate-per-connection", "50"],
    ["--kafka-session-timeout-ms", String(SESSION_TIMEOUT_MS)],
    ["--heartbeat-ms", "500", "--heartbeat-timeout-ms", "3000"],
    ["--max-connections-per-user", "100"],
  ].flat();
}

const DEFAULT_TIMINGS: ClusterFaultTimings = {
  gatewayKillEveryMs: [4_000, 9_000],
  sequencerKillEveryMs: [6_000, 12_000],
  sequencerPauseEveryMs: [8_000, 15_000],
  sinkKillEveryMs: [6_000, 12_000],
  sinkDownMs: [1_000, 6_000],
};

/** The cluster, its broker when it runs its own, and the faults routing adds. */
interface Started {
  readonly cluster: TestCluster;
  readonly broker?: OwnBroker;
  readonly faults: Fault[];
}

/** Starts the cluster and one proxy per gateway. */
export async function startClusterTarget(options: ClusterTargetOptions = {}): Promise<ChaosTarget> {
  const jwtSecret = randomBytes(24).toString("hex");
  const { cluster, broker, faults: routing } = await startCluster(options, nodeArgs(jwtSecret));
  const proxies = cluster.gateways.map((g) => new TcpProxy(() => g.port));
  const probe = new RoutingProbe(cluster);
  const dispose = async () => {
    await probe.stop();
    await Promise.all(proxies.map((p) => p.close().catch(() => undefined)));
    await cluster.dispose();
    await broker?.purge();
  };
  let balancer: RoundRobinBalancer | undefined;
  try {
    await Promise.all(proxies.map((p) => p.listen()));
    balancer = await RoundRobinBalancer.start(() => proxies.map((p) => `http://127.0.0.1:${p.port}`));
  } catch (err) {
    await dispose();
    throw err;
  }
  probe.start();
  const sseUrl = balancer.wsUrl;
  const timings = { ...DEFAULT_TIMINGS, ...definedOnly(options, DEFAULT_TIMINGS) };
  const faults = [
    ...clusterFaults(cluster, timings, SESSION_TIMEOUT_MS),
    ...routing,
    ...netFaults(proxies, options.netEveryMs),
  ];
  return {
    name: broker ? `cluster (redistributed routing, ${options.forwarding ?? "kafka"} forwarding)` : "cluster",
    jwtSecret,
    clientUrl: (index) => `ws://127.0.0.1:${proxies[gatewayFor(cluster, index)]!.port}/v1/ws`,
    directUrl: () => (cluster.gateways.find((g) => g.running) ?? cluster.gateways[0]!).wsUrl,
    sseUrl: () => sseUrl,
    faults,
    // The steady redistributors only: the rebalance's visitor comes and goes.
    heal: () => healCluster(cluster, cluster.redistributors.slice(0, 2)),
    storedHistories: (rooms) => storedHistories(cluster, rooms, options.sinkCatchUpMs ?? 60_000),
    findings: () => probe.findings(),
    stop: async () => {
      await balancer.stop();
      await dispose();
    },
    diagnostics: () => cluster.output(),
  };
}

/**
 * 3 gateways, 2 sequencers and a sink; with redistributed routing also 2 redistributors, on a broker of the
 * run's own, and the routing faults.
 */
async function startCluster(options: ClusterTargetOptions, args: string[]): Promise<Started> {
  const shape = { gateways: 3, sequencers: 2, args };
  if (options.routing !== "redistributed")
    return { cluster: await TestCluster.start(options.kafka ? { ...shape, kafka: options.kafka } : shape), faults: [] };
  const broker = await OwnBroker.start();
  try {
    const routing = ["--routing", "redistributed", "--forwarding", options.forwarding ?? "kafka"];
    const cluster = await TestCluster.start({
      ...shape,
      args: [...args, ...routing],
      redistributors: 2,
      kafka: broker.bootstrap,
    });
    const timings = { ...DEFAULT_ROUTING_TIMINGS, ...definedOnly(options, DEFAULT_ROUTING_TIMINGS) };
    return { cluster, broker, faults: routingFaults(cluster, broker, timings) };
  } catch (err) {
    await broker.purge();
    throw err;
  }
}

/** The client's home gateway, or another running one now and then and whenever home is down. */
function gatewayFor(cluster: TestCluster, index: number): number {
  const home = index % cluster.gateways.length;
  if (cluster.gateways[home]!.running && Math.random() >= MOVE_CHANCE) return home;
  const up = cluster.gateways.map((g, i) => (g.running ? i : -1)).filter((i) => i >= 0);
  return up.length > 0 ? up[Math.floor(Math.random() * up.length)]! : home;
}

/** Drop, stall and mid-frame cut on a random connection of any proxy. */
function netFaults(proxies: readonly TcpProxy[], every: readonly [number, number] = [400, 1_500]): Fault[] {
  const anyProxy = (hit: (p: TcpProxy) => boolean) => async () => shuffled(proxies).some(hit);
  return [
    { name: "net drop", everyMs: every, inject: anyProxy((p) => p.drop()) },
    { name: "net stall", everyMs: every, inject: anyProxy((p) => p.stall(300 + Math.random() * 4_000)) },
    { name: "net cut mid-frame", everyMs: every, inject: anyProxy((p) => p.cutMidFrame()) },
  ];
}

/** PostgreSQL's copy of each room, once the sink has written at least as many events as the gateway returned. */
async function storedHistories(
  cluster: TestCluster,
  rooms: readonly RoomHistory[],
  timeoutMs: number,
): Promise<RoomHistory[]> {
  const client = new pg.Client({ connectionString: cluster.config.postgres });
  await client.connect();
  try {
    const deadline = Date.now() + timeoutMs;
    const stored: RoomHistory[] = [];
    for (const room of rooms) {
      let events = await storedEvents(client, room.room);
      while (events.length < room.events.length && Date.now() < deadline) {
        await sleep(200);
        events = await storedEvents(client, room.room);
      }
      // The epoch is the gateway's: PostgreSQL's copy is judged on its events, the epoch check is per subscription.
      stored.push({ room: room.room, epoch: room.epoch, events });
    }
    return stored;
  } finally {
    await client.end();
  }
}

async function storedEvents(client: pg.Client, room: string): Promise<RoomHistory["events"]> {
  const { rows } = await client.query<{ seq: number; cmid: string; id: string; kind: string; body: string }>(
    "SELECT seq::int AS seq, cmid, id, kind, body FROM events WHERE room = $1 ORDER BY seq",
    [room],
  );
  return rows.map(({ seq, cmid, id, kind, body }) => ({ seq, cmid, id, kind, body: JSON.parse(body) as unknown }));
}

function shuffled<T>(items: readonly T[]): T[] {
  return [...items].sort(() => Math.random() - 0.5);
}

/** The fields of `options` that `defaults` has and that are set. */
function definedOnly<T extends object>(options: ClusterTargetOptions, defaults: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => k in defaults && v !== undefined)) as Partial<T>;
}
