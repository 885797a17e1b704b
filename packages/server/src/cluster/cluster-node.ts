/**
 * `parley start --kafka … --role gateway|sequencer|sink|bridge|redistributor|all`: composes one
 * cluster process from its roles. The gateway reuses the embedded mode's
 * HTTP/gateway composition (server.ts) with Kafka and PostgreSQL storage
 * injected; a process without a gateway serves only /healthz, /readyz and
 * /metrics on `--port` (ops-server.ts). Every role reports to one metrics
 * registry, so `--role all` serves the sequencer's and sink's series too.
 */
import type { ParleyConfig } from "../config/options.js";
import { KafkaLog } from "../kafka/log/kafka-log.js";
import { PostgresDedupe } from "../postgres/dedupe.js";
import { SequencerService } from "../kafka/sequencer/sequencer-service.js";
import { RedistributorService } from "../kafka/redistributor/redistributor-service.js";
import { ensureTopics, topicNames, type KafkaClusterOptions } from "../kafka/topics.js";
import type { Readiness } from "../http/ops-routes.js";
import { Metrics } from "../metrics/metrics.js";
import type { Logger } from "../logger.js";
import { createParleyServer, listenHost, type NodeStorage, type ParleyServer } from "../server.js";
import { SinkService } from "../sink/sink-service.js";
import { PostgresSinkPositions } from "../postgres/sink-positions.js";
import { openPostgresDb, type PostgresDb } from "../postgres/db.js";
import { PostgresEvents } from "../postgres/events.js";
import { PostgresHistory } from "../postgres/history.js";
import { PostgresStore } from "../postgres/store.js";
import { clusterNotifier, type ClusterNotifier } from "./cluster-notifier.js";
import { PostgresNotifyStore } from "../postgres/notify-store.js";
import { PresenceLink } from "./presence-link.js";
import { OpsBeacon } from "./ops-beacon.js";
import { advertiseUrl } from "./advertise-url.js";
import { DirectForwardReceiver } from "../kafka/direct-forwarding.js";
import { startOpsServer, type OpsServer } from "./ops-server.js";
import { clusterRoles } from "./roles.js";
import { autoRoutingSettings } from "./routing-report.js";
import { bridgeSettings } from "../bridge/bridge-config.js";
import { startBridgeRole, type BridgeRole } from "./bridge-role.js";

/**
 * How long a gateway reuses a room's rule and memberships. Every membership change is a `system`
 * event in the room (docs/chat.md), which makes every gateway forget the room's answers as it reads
 * the event (gateway/room-hub.ts), so this is only the backstop for a change whose event could not
 * be sequenced. At 1 s, a room with a publish a second read PostgreSQL on nearly every publish.
 */
const CLUSTER_ROOM_RULE_TTL_MS = 30_000;

/** A running cluster process: what `start` resolves with. */
export interface ClusterAddress {
  /** Where it serves HTTP: the gateway, or without one the ops routes (both on `--port`). */
  readonly port?: number;
  readonly url?: string;
}

/** One cluster process. */
export interface ClusterNode {
  start(): Promise<ClusterAddress>;
  /** Graceful: gateway drains first, then the sink flushes and the sequencer hands off. Idempotent. */
  stop(): Promise<void>;
}

interface Parts {
  db?: PostgresDb;
  gateway?: ParleyServer;
  sequencer?: SequencerService;
  redistributor?: RedistributorService;
  sink?: SinkService;
  notifier?: ClusterNotifier;
  ops?: OpsServer;
  link?: PresenceLink;
  beacon?: OpsBeacon;
  bridge?: BridgeRole;
}

/** Builds the cluster process the configuration describes; throws ConfigError for a bad role combination. */
export function createClusterNode(config: ParleyConfig, logger: Logger): ClusterNode {
  const roles = clusterRoles(config);
  // Checked now, so a bad mapping is a usage error before anything opens.
  const bridge = roles.has("bridge") ? bridgeSettings(config) : undefined;
  const cluster: KafkaClusterOptions = {
    brokers: config.kafka,
    topicPrefix: config.topicPrefix,
    partitions: config.topicPartitions,
    replication: config.topicReplication,
  };
  const parts: Parts = {};
  // clusterRoles has checked that the roles needing PostgreSQL have a --postgres url.
  const db = (): PostgresDb => {
    if (!parts.db) throw new Error(`--role ${config.role}: PostgreSQL is not open`);
    return parts.db;
  };
  let stopping: Promise<void> | undefined;
  const presenceTopic = {
    brokers: config.kafka,
    topicPrefix: config.topicPrefix,
    replication: config.topicReplication,
  };
  const metrics = new Metrics();
  const served = config.metrics ? metrics : undefined;
  // Ready when each role can work: the sequencer sequences every partition it was given, the sink writes.
  const rolesReady = (): boolean =>
    (parts.sequencer?.ready() ?? true) && (parts.sink?.ready() ?? true) && (parts.redistributor?.ready() ?? true);
  const state: Readiness = { started: false, draining: false, ready: rolesReady };
  return {
    async start() {
      // Listening first also keeps the process alive while the broker is away (its retry timers are unref'd).
      if (!roles.has("gateway")) parts.ops = await startOpsServer(config, state, served, logger);
      // Every role reads or writes the topics; whichever process starts first creates them.
      await ensureTopics(cluster);
      // A node without a gateway tells the gateways where its ops routes are (their admin dashboards read them).
      if (parts.ops) {
        parts.beacon = new OpsBeacon({ ...presenceTopic, roles: [...roles], logger });
        await parts.beacon.start(advertiseUrl(config, parts.ops.port));
      }
      if (config.postgres) {
        parts.db = await openPostgresDb({ url: config.postgres, maxConnections: config.postgresPoolSize });
      }
      if (roles.has("sequencer")) {
        parts.sequencer = new SequencerService({
          cluster,
          logger,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          // With PostgreSQL, retries older than the cmid cache are checked against the stored events.
          dedupeFallback: parts.db && new PostgresDedupe(parts.db.pool),
          metrics,
        });
        await parts.sequencer.start();
      }
      if (roles.has("redistributor")) {
        const sessionTimeoutMs = config.kafkaSessionTimeoutMs;
        parts.redistributor = new RedistributorService({
          cluster,
          logger,
          sessionTimeoutMs,
          onBatch: (records, forwards) => {
            metrics.redistributorRecords.inc({ kind: "read" }, records);
            metrics.redistributorRecords.inc({ kind: "forwarded" }, forwards);
          },
        });
        await parts.redistributor.start();
        const redistributor = parts.redistributor;
        metrics.addRedistributor(() => redistributor.liveGateways());
      }
      if (roles.has("sink")) {
        // The sink role also delivers pushes and webhooks (docs/cluster.md).
        parts.notifier = clusterNotifier(config, db().pool, logger);
        await parts.notifier.start();
        const relay = parts.notifier.relay;
        parts.sink = new SinkService({
          onCommitted: (events) => relay.emit(events),
          brokers: config.kafka,
          topicPrefix: config.topicPrefix,
          events: new PostgresEvents(db().pool),
          positions: new PostgresSinkPositions(db().pool),
          logger,
          sessionTimeoutMs: config.kafkaSessionTimeoutMs,
          metrics,
        });
        await parts.sink.start();
      }
      if (bridge) {
        parts.bridge = await startBridgeRole({ settings: bridge, cluster, db: db(), config, logger, metrics });
      }
      let address: ClusterAddress = parts.ops ? { port: parts.ops.port, url: parts.ops.url } : {};
      if (roles.has("gateway")) {
        parts.gateway = createParleyServer(config, {
          logger,
          openStorage: () => openGatewayStorage(db()),
          roomRuleTtlMs: CLUSTER_ROOM_RULE_TTL_MS,
          metrics,
          bridge: false, // the bridge is a role of its own here
        });
        address = await parts.gateway.start();
        // Only now is the port known; until the others hear it, they answer 404 to POSTs for this node's sessions.
        if (address.port !== undefined) parts.link?.advertise(advertiseUrl(config, address.port));
      }
      state.started = true;
      logger.info({ roles: [...roles], ...address }, "cluster node ready");
      return address;
    },
    stop() {
      state.draining = true;
      stopping ??= stopParts(parts, logger);
      return stopping;
    },
  };

  async function openGatewayStorage(db: PostgresDb): Promise<NodeStorage> {
    const routing = config.routing === "redistributed" || config.routing === "auto" ? config.routing : "everything";
    // The gateways the presence link knows, this one included: what `auto`'s cost model spreads the cost over.
    const gateways = () => 1 + (parts.link?.nodes.list().length ?? 0);
    const log = new KafkaLog({
      cluster,
      history: new PostgresHistory(new PostgresEvents(db.pool)),
      routing,
      ...(routing === "auto" && { auto: autoRoutingSettings(config, metrics, logger, gateways) }),
      onRead: (records, bytes, forwarded) => {
        metrics.gatewayRecordsRead.inc({ routing }, records);
        const channel = forwarded && config.forwarding === "direct" ? "direct" : "kafka";
        metrics.gatewayBytesRead.inc({ routing, channel }, bytes);
      },
      ...(config.forwarding === "direct" && { forward: () => directInbox(config) }),
    });
    const link = new PresenceLink({
      ...presenceTopic,
      roles: [...roles],
      logger,
    });
    parts.link = link;
    const store = new PostgresStore(db.pool);
    await log.start();
    await store.start();
    await link.start();
    metrics.addLagSource({
      consumer: "gateway",
      topic: topicNames(config.topicPrefix).events,
      read: () => log.tailLag(),
    });
    const notifyStore = new PostgresNotifyStore(db.pool);
    return {
      log,
      store,
      presence: link.presence,
      typing: link.typing,
      disconnects: link.disconnects,
      sseNodes: link.nodes,
      adminNodes: {
        selfId: link.nodeId,
        selfRoles: [...roles],
        others: () => [...link.nodes.list(), ...link.opsNodes.list()],
      },
      // Gateways serve the push and webhook routes; the sink role delivers.
      notify: { store: notifyStore, deliver: false, vapidSource: { kind: "store", store: notifyStore } },
      ready: () => log.ready() && rolesReady(),
      async close() {
        await link.stop().catch((err: unknown) => logger.warn({ err }, "presence stop failed"));
        await log.close();
        await store.close();
      },
    };
  }
}

/** A redistributed gateway's direct inbox: on the interface it listens on, announced under its advertised host. */
function directInbox(config: ParleyConfig): DirectForwardReceiver {
  const advertiseHost = new URL(advertiseUrl(config, 0)).hostname.replace(/^\[|\]$/g, "");
  return new DirectForwardReceiver({ listenHost: listenHost(config), advertiseHost });
}

async function stopParts(parts: Parts, logger: Logger): Promise<void> {
  const step = async (what: string, work: () => Promise<void> | undefined) => {
    try {
      await work();
    } catch (err) {
      logger.error({ err }, `${what} stop failed`);
    }
  };
  // The bridge first: its records in hand are appended (the sequencers still run) and committed.
  await step("bridge", () => parts.bridge?.stop());
  await step("gateway", () => parts.gateway?.stop());
  await step("sink", () => parts.sink?.stop());
  await step("notifier", () => parts.notifier?.stop());
  await step("redistributor", () => parts.redistributor?.close());
  await step("sequencer", () => parts.sequencer?.close());
  await step("postgres", () => parts.db?.close());
  await step("ops beacon", () => parts.beacon?.stop());
  await step("ops server", () => parts.ops?.close());
  logger.info("stopped");
}
