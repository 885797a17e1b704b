import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { authenticatorFromConfig } from "./auth/from-config.js";
import { ServerKeys } from "./auth/server-keys.js";
import type { ParleyConfig } from "./config/options.js";
import { buildRouter, requestListener } from "./http/app.js";
import { Gateway } from "./gateway/gateway.js";
import type { HttpContext } from "./http/context.js";
import { limitConnections } from "./http/connection-limits.js";
import { hostAllowed } from "./transport/origin.js";
import type { Readiness } from "./http/ops-routes.js";
import type { EventLog } from "./log/event-log.js";
import { openEmbedded } from "./sqlite/open-embedded.js";
import { createLogger, type Logger } from "./logger.js";
import { Metrics } from "./metrics/metrics.js";
import { NotifyService } from "./notify/notify-service.js";
import type { NotifyStore } from "./notify/notify-store.js";
import type { VapidSource } from "./notify/vapid.js";
import { SqliteNotifyStore } from "./sqlite/notify-store.js";
import type { Presence } from "./presence/presence.js";
import type { TypingRelay } from "./presence/typing-relay.js";
import type { DisconnectRelay } from "./presence/disconnect-relay.js";
import type { SseNodes } from "./transport/sse-forward.js";
import type { AdminNodes } from "./http/admin-nodes.js";
import type { Store } from "./store/store.js";
import { withRoomRuleCache } from "./policy/room-rule-cache.js";
import { createPolicy } from "./policy/policy.js";
import { Bridge } from "./bridge/bridge.js";
import { bridgeSettings, type BridgeSettings } from "./bridge/bridge-config.js";

/** A node's started event log and store (embedded: one SQLite database; cluster: Kafka + PostgreSQL). */
export interface NodeStorage {
  readonly log: EventLog;
  readonly store: Store;
  /** Cluster-wide presence; default single-node LocalPresence. */
  readonly presence?: Presence;
  /** Typing notices to and from the other nodes; absent on a single node. */
  readonly typing?: TypingRelay;
  /** "Disconnect this user" to and from the other nodes (the server API); absent on a single node. */
  readonly disconnects?: DisconnectRelay;
  /** The cluster's gateways, for SSE POSTs that arrive at a gateway other than their session's; absent on a single node. */
  readonly sseNodes?: SseNodes;
  /** The cluster's nodes as the admin dashboard reads them; absent on a single node. */
  readonly adminNodes?: AdminNodes;
  /** Push subscriptions and webhooks; absent: no notify routes work and nothing is delivered. */
  readonly notify?: NodeNotify;
  /**
   * Start work that may finish after the node listens (the embedded log's writer thread): appends wait for
   * it, connections and reads do not. start() resolves after it and fails if it fails.
   */
  readonly starting?: Promise<void>;
  /** False while the storage cannot serve live delivery (a cluster gateway's events tail not reading every partition); /readyz reports it. Default: always true. */
  ready?(): boolean;
  /** Closes the log (flushing pending appends) and the store. */
  close(): Promise<void>;
}

/** A node's notify/ storage and role. */
export interface NodeNotify {
  readonly store: NotifyStore;
  /** Whether this node delivers pushes and webhooks (default true); false serves their REST routes only. */
  readonly deliver?: boolean;
  /** Where an unconfigured VAPID pair is kept; default `<dataDir>/vapid.json`. */
  readonly vapidSource?: VapidSource;
}

/** Options of createParleyServer beyond the configuration. */
export interface ParleyServerOptions {
  readonly logger?: Logger;
  /** Opens and starts the log and store; default the embedded SQLite storage in dataDir. */
  readonly openStorage?: () => Promise<NodeStorage>;
  /**
   * How long the gateway reuses a room's rule and memberships, so how long a change made elsewhere
   * goes unseen. Default 5 000 ms (embedded: every change goes through this process, except a second
   * process on the same database file); cluster gateways pass 1 000 (another gateway may change a room).
   */
  readonly roomRuleTtlMs?: number;
  /** The registry /metrics serves; a cluster node passes the one its sequencer and sink report to. Default: a new one. */
  readonly metrics?: Metrics;
  /**
   * Whether this node runs the inbound bridge when `bridgeTopics` maps a topic (default true). A cluster
   * gateway passes false: there the bridge is a role of its own (cluster/cluster-node.ts).
   */
  readonly bridge?: boolean;
}

/** The room rule cache's default reuse (embedded mode) and its bound on answers (rooms plus memberships). */
const EMBEDDED_ROOM_RULE_TTL_MS = 5_000;
const ROOM_RULE_MAX_ENTRIES = 20_000;

/** A composed Parley node. */
export interface ParleyServer {
  /** Opens storage, starts the gateway and listens; resolves with the actual port (works with port 0). */
  start(): Promise<{ port: number; url: string }>;
  /** Graceful shutdown: drain clients, stop HTTP, close the log and store. Idempotent. */
  stop(): Promise<void>;
}

/** Composes storage, auth, gateway, metrics and HTTP(S) into one embedded-mode node. */
export function createParleyServer(config: ParleyConfig, options: ParleyServerOptions = {}): ParleyServer {
  const logger = options.logger ?? createLogger(config.logLevel);
  // Checked here, so a bad mapping is a usage error before anything opens.
  const bridge = options.bridge === false ? undefined : bridgeSettings(config);
  const state: Readiness = { started: false, draining: false };
  let listening: Promise<Running> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    // A stop while the storage is still starting (a SIGTERM right after "listening") drains as usual.
    stopping ??= listening
      ? listening.then(
          (r) => stopNode(r, config, logger, state),
          () => {},
        )
      : Promise.resolve();
    return stopping;
  };
  return {
    async start() {
      if (listening) throw new Error("server already started");
      listening = startNode(config, state, {
        logger,
        openStorage: options.openStorage ?? (() => openEmbeddedStorage(config, logger)),
        roomRuleTtlMs: options.roomRuleTtlMs ?? EMBEDDED_ROOM_RULE_TTL_MS,
        metrics: options.metrics ?? new Metrics(),
        bridge,
      });
      const running = await listening;
      await running.storage.starting?.catch(async (err: unknown) => {
        await stop();
        throw err;
      });
      return running.address;
    },
    stop,
  };
}

interface Running {
  readonly server: Server;
  readonly storage: NodeStorage;
  readonly gateway: Gateway;
  readonly notify: NotifyService | undefined;
  readonly bridge: Bridge | undefined;
  readonly address: { port: number; url: string };
}

async function openEmbeddedStorage(config: ParleyConfig, logger: Logger): Promise<NodeStorage> {
  const storage = openEmbedded(config, {}, logger);
  // The writer thread boots while the node listens and takes its first clients (docs/performance.md, restart).
  const starting = storage.log.start();
  starting.catch(() => {}); // awaited after listen; not unhandled meanwhile
  await storage.store.start();
  return { ...storage, starting, notify: { store: new SqliteNotifyStore(storage.db) } };
}

/** What startNode is given: the server options resolved, and the bridge's settings if it runs one. */
type NodeOptions = Required<Omit<ParleyServerOptions, "bridge">> & { readonly bridge: BridgeSettings | undefined };

async function startNode(config: ParleyConfig, state: Readiness, options: NodeOptions): Promise<Running> {
  const { logger, openStorage, roomRuleTtlMs, metrics } = options;
  const auth = await authenticatorFromConfig(config, logger);
  const serverKeys = new ServerKeys(config.serverKeysFile, logger);
  const storage = await openStorage();
  const { log, presence, typing, disconnects, sseNodes } = storage;
  const store = withRoomRuleCache(storage.store, { ttlMs: roomRuleTtlMs, maxEntries: ROOM_RULE_MAX_ENTRIES });
  const forgetRoom = (room: string): void => store.forgetRoom(room);
  const policy = createPolicy({ log, store, config, metrics });
  const gateway = new Gateway({
    log,
    store,
    auth,
    config,
    logger,
    metrics,
    policy,
    forgetRoom,
    ...(presence && { presence }),
    ...(typing && { typing }),
    ...(disconnects && { disconnects }),
    ...(sseNodes && { sseNodes }),
  });
  gateway.start();
  const notify = await startNotify(storage, { config, gateway, logger, metrics });
  const { ready } = storage;
  if (ready) state.ready = () => ready();
  state.started = true;
  const ctx: HttpContext = {
    ...{ config, log, store, policy, auth, serverKeys, gateway, logger, metrics },
    notify: notify?.http,
    nodes: storage.adminNodes,
  };
  const server = createHttp(config);
  limitConnections(server, config, () => metrics.connectionsRefused.inc());
  server.on("request", requestListener(ctx, buildRouter(ctx, state, config.metrics ? metrics : undefined)));
  server.on("upgrade", upgradeListener(gateway, state, config));
  const { address: host, ...address } = await listen(server, config);
  logger.info({ host, port: address.port, url: address.url, tls: Boolean(config.tlsCert) }, "listening");
  const bridge =
    options.bridge && new Bridge({ settings: options.bridge, publisher: policy.publisher, logger, metrics });
  await bridge?.start();
  return { server, storage, gateway, notify, bridge, address };
}

async function startNotify(
  storage: NodeStorage,
  node: { config: ParleyConfig; gateway: Gateway; logger: Logger; metrics: Metrics },
) {
  const { config, gateway, logger, metrics } = node;
  if (!storage.notify) return undefined;
  const { store: notifyStore, deliver, vapidSource } = storage.notify;
  const { log, store } = storage;
  const notify = await NotifyService.create({
    ...{ config, log, store, presence: gateway.presence, notifyStore, logger, metrics },
    ...(deliver !== undefined && { deliver }),
    ...(vapidSource && { vapidSource }),
  });
  await notify.start();
  return notify;
}

/**
 * The HTTP(S) server with its slow-client limits. Malformed, oversized (431) and
 * timed-out (408) requests get node's own answer and close: no `clientError`
 * listener, which would replace those answers.
 */
export function createHttp(config: ParleyConfig): Server {
  if (Boolean(config.tlsCert) !== Boolean(config.tlsKey)) throw new Error("tlsCert and tlsKey must be set together");
  const requestTimeout = config.requestTimeoutMs;
  const headersTimeout =
    requestTimeout > 0 ? Math.min(config.headersTimeoutMs, requestTimeout) : config.headersTimeoutMs;
  const limits = {
    ...{ headersTimeout, requestTimeout, maxHeaderSize: config.maxHeaderBytes },
    // Node checks the timeouts every 30 s by default, which would let a slow client stay that much longer.
    connectionsCheckingInterval: Math.max(100, Math.min(headersTimeout || 30_000, 30_000) / 4),
  };
  if (!config.tlsCert || !config.tlsKey) return createHttpServer(limits);
  return createHttpsServer({ ...limits, cert: readFileSync(config.tlsCert), key: readFileSync(config.tlsKey) });
}

/** Only /v1/ws upgrades for a Host we serve; anything else (or anything while draining) is refused before the handshake. */
function upgradeListener(
  gateway: Gateway,
  state: Readiness,
  config: ParleyConfig,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  return (req, socket, head) => {
    const pathname = new URL(req.url ?? "/", "http://localhost").pathname;
    const hostOk = hostAllowed(req, config);
    if (pathname !== "/v1/ws" || state.draining || !hostOk) {
      const status = !hostOk ? "403 Forbidden" : pathname !== "/v1/ws" ? "404 Not Found" : "503 Service Unavailable";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
      return;
    }
    gateway.handleUpgrade(req, socket, head);
  };
}

/** Where a node listens: `host`, else every interface, except in dev mode (anyone is anyone) only this machine. */
export function listenHost(config: Pick<ParleyConfig, "host" | "dev">): string {
  return config.host ?? (config.dev ? "127.0.0.1" : "0.0.0.0");
}

/** Listens on `config.port` at listenHost(config); resolves with the bound port and its URL. */
export function listen(server: Server, config: ParleyConfig): Promise<{ port: number; url: string; address: string }> {
  const bind = listenHost(config);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, bind, () => {
      server.off("error", reject);
      const { port, address } = server.address() as AddressInfo;
      const wildcard = bind === "0.0.0.0" || bind === "::" || bind === "";
      const host = wildcard ? "127.0.0.1" : bind.includes(":") ? `[${bind}]` : bind;
      resolve({ port, url: `${config.tlsCert ? "https" : "http"}://${host}:${port}`, address });
    });
  });
}

/**
 * Drain clients (the gateway closes them with its retryable SHUTDOWN code),
 * stop accepting HTTP, then close the log so every pending append resolves,
 * all within shutdownGraceMs.
 */
async function stopNode(node: Running, config: ParleyConfig, logger: Logger, state: Readiness): Promise<void> {
  const deadline = Date.now() + config.shutdownGraceMs;
  state.draining = true;
  logger.info("draining");
  // The bridge first: what it has in hand is appended and committed while the log is still open.
  const bridgeStopped = node.bridge?.stop().catch((err: unknown) => logger.error({ err }, "bridge stop failed"));
  await within(bridgeStopped ?? Promise.resolve(), config.shutdownGraceMs * 0.2, () =>
    logger.warn("bridge stop timed out"),
  );
  const closed = new Promise<void>((resolve) => node.server.close(() => resolve()));
  node.server.closeIdleConnections();
  const drained = node.gateway.drain().catch((err: unknown) => logger.error({ err }, "gateway drain failed"));
  await within(drained, config.shutdownGraceMs * 0.6, () => logger.warn("gateway drain timed out"));
  // Drained SSE responses leave keep-alive sockets that only now became idle.
  node.server.closeIdleConnections();
  await within(closed, Math.max(deadline - Date.now(), 0) * 0.5, () => node.server.closeAllConnections());
  // Pushes and webhook POSTs in flight end within their own timeout; the log must not wait for them.
  const notifyStopped = node.notify?.stop().catch((err: unknown) => logger.error({ err }, "notify stop failed"));
  await within(notifyStopped ?? Promise.resolve(), Math.max(deadline - Date.now(), 0) * 0.3, () =>
    logger.warn("notify stop timed out"),
  );
  const storageClosed = node.storage.close().catch((err: unknown) => logger.error({ err }, "storage close failed"));
  await within(storageClosed, Math.max(deadline - Date.now(), 0), () => logger.error("storage close timed out"));
  logger.info("stopped");
}

async function within(work: Promise<unknown>, ms: number, onTimeout: () => void): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), ms)));
  const result = await Promise.race([work.then(() => "done" as const), timeout]).finally(() => clearTimeout(timer));
  if (result === "timeout") onTimeout();
}
