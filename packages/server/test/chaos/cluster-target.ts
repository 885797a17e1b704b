/**
 * The cluster target: 3 gateways, 2 sequencers and a sink as real child
 * processes (cluster/cluster-fixture.ts) on a Kafka broker and a fresh
 * PostgreSQL database. Each gateway sits behind its own {@link TcpProxy};
 * a client has a home gateway but reconnects to another one now and then
 * (and always when its home is down), as behind a load balancer. SDK
 * clients on SSE go through a round-robin balancer over those proxies
 * (test/support/round-robin-balancer.ts): each stream and each POST to the
 * next gateway, no sticky sessions.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { setTimeout as sleep } from "node:timers/promises";
import { TestCluster } from "../support/cluster-fixture.js";
import { RoundRobinBalancer } from "../support/round-robin-balancer.js";
import type { ChaosTarget, Fault } from "./chaos-target.js";
import { clusterFaults, healCluster, type ClusterFaultTimings } from "./cluster-faults.js";
import type { RoomHistory } from "./history.js";
import { TcpProxy } from "./tcp-proxy.js";

/** Options for {@link startClusterTarget}; every field has a default for the long run. */
export interface ClusterTargetOptions extends Partial<ClusterFaultTimings> {
  /** Kafka brokers (default PARLEY_TEST_KAFKA). PostgreSQL always comes from PARLEY_TEST_PG_URL. */
  readonly kafka?: string;
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

/** Starts the cluster and one proxy per gateway. */
export async function startClusterTarget(options: ClusterTargetOptions = {}): Promise<ChaosTarget> {
  const jwtSecret = randomBytes(24).toString("hex");
  const shape = { gateways: 3, sequencers: 2, args: nodeArgs(jwtSecret) };
  const cluster = await TestCluster.start(options.kafka ? { ...shape, kafka: options.kafka } : shape);
  const proxies = cluster.gateways.map((g) => new TcpProxy(() => g.port));
  let balancer: RoundRobinBalancer | undefined;
  try {
    await Promise.all(proxies.map((p) => p.listen()));
    balancer = await RoundRobinBalancer.start(() => proxies.map((p) => `http://127.0.0.1:${p.port}`));
  } catch (err) {
    await Promise.all(proxies.map((p) => p.close().catch(() => undefined)));
    await cluster.dispose();
    throw err;
  }
  const sseUrl = balancer.wsUrl;
  const timings = { ...DEFAULT_TIMINGS, ...definedOnly(options) };
  const faults = [...clusterFaults(cluster, timings, SESSION_TIMEOUT_MS), ...netFaults(proxies, options.netEveryMs)];
  return {
    name: "cluster",
    jwtSecret,
    clientUrl: (index) => `ws://127.0.0.1:${proxies[gatewayFor(cluster, index)]!.port}/v1/ws`,
    directUrl: () => (cluster.gateways.find((g) => g.running) ?? cluster.gateways[0]!).wsUrl,
    sseUrl: () => sseUrl,
    faults,
    heal: () => healCluster(cluster),
    storedHistories: (rooms) => storedHistories(cluster, rooms, options.sinkCatchUpMs ?? 60_000),
    stop: async () => {
      await balancer.stop();
      await Promise.all(proxies.map((p) => p.close()));
      await cluster.dispose();
    },
    diagnostics: () => cluster.output(),
  };
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

function definedOnly(options: ClusterTargetOptions): Partial<ClusterFaultTimings> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => k in DEFAULT_TIMINGS && v !== undefined));
}
