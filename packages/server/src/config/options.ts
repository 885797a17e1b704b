/**
 * Every Parley server option, with its default, in one place. `parley start
 * --help`, docs/configuration.md and the config loader are all generated from
 * or checked against this table, so a new option is added here and nowhere else.
 *
 * Precedence: command-line flag > PARLEY_* environment variable > config file
 * (JSON, `--config`) > default.
 */
export type OptionType = "string" | "int" | "bool" | "list";

export interface OptionSpec {
  readonly type: OptionType;
  readonly default: string | number | boolean | readonly string[] | undefined;
  readonly help: string;
}

// Generic so each entry keeps its literal `type` and default type: ParleyConfig is derived from them.
function opt<T extends OptionType, D extends OptionSpec["default"]>(
  type: T,
  def: D,
  help: string,
): { readonly type: T; readonly default: D; readonly help: string } {
  return { type, default: def, help };
}

export const OPTIONS = {
  // ---- listening
  host: opt("string", undefined, "Interface to listen on. Unset: 0.0.0.0 (every interface), in dev mode 127.0.0.1."),
  port: opt(
    "int",
    8080,
    "HTTP/WebSocket port. A cluster node without the gateway role serves only /healthz, /readyz and /metrics on it.",
  ),
  tlsCert: opt("string", undefined, "PEM certificate file; serve HTTPS/WSS when set with tlsKey."),
  tlsKey: opt("string", undefined, "PEM private key file for tlsCert."),
  allowedOrigins: opt(
    "list",
    [],
    "WebSocket/SSE Origin allow-list (exact origins or `*`). Empty: same-origin and non-browser clients only.",
  ),
  allowedHosts: opt(
    "list",
    [],
    "Host header names the server answers to besides IP addresses and localhost (DNS rebinding). Empty: any, except in dev mode.",
  ),
  // ---- storage
  dataDir: opt("string", "./data", "Directory of the embedded SQLite store."),
  durability: opt(
    "string",
    "full",
    "`full`: SQLite synchronous=FULL (survives power loss). `normal`: synchronous=NORMAL (survives process crash).",
  ),
  commitIntervalMs: opt(
    "int",
    2,
    "Embedded: a busy log starts a commit at most once per this many ms, so a commit's fixed cost is shared by what arrives meanwhile; also the longest a publish waits for its commit to start. 0: each commit starts as soon as the previous one ends (lowest latency, most CPU per message at chat rates).",
  ),
  commitMaxBatch: opt("int", 2000, "Most publishes committed in one transaction."),
  dedupeWindowHours: opt("int", 24, "cmid dedupe cache window; older ids are checked against the store."),
  // ---- cluster (issue 4): set `kafka` to leave embedded mode
  kafka: opt("list", [], "Kafka bootstrap brokers (host:port,…). Empty: embedded mode (SQLite, one process)."),
  postgres: opt("string", undefined, "PostgreSQL URL for rooms, members and history in cluster mode (postgres://…)."),
  role: opt(
    "string",
    "all",
    "Cluster role: `gateway` (clients), `sequencer`, `sink` (events → PostgreSQL), `bridge` (bridgeTopics → rooms), `redistributor` (routing: redistributed or auto) or `all` (the bridge only with bridgeTopics, the redistributor only with redistributed or auto routing). Needs `kafka`.",
  ),
  forwarding: opt(
    "string",
    "kafka",
    "How redistributors reach a `redistributed` gateway: `kafka` (a topic per gateway) or `direct` (a WebSocket to a port of the gateway's own, on `host`, announced with advertiseUrl's host).",
  ),
  routing: opt(
    "string",
    "everything",
    "How a gateway gets events: `everything` (reads every events partition), `redistributed` (redistributors forward its rooms' events) or `auto` (switches between the two at runtime as the cost model says; cluster.md, Routing).",
  ),
  routingIntervalMs: opt(
    "int",
    15_000,
    "`--routing auto`: how often the gateway evaluates the cost model on its live figures.",
  ),
  routingHysteresis: opt(
    "int",
    3,
    "`--routing auto`: evaluations in a row the other routing must win before the gateway switches feeds.",
  ),
  topicPrefix: opt("string", "parley.", "Prefix of Kafka topic and consumer group names."),
  advertiseUrl: opt(
    "string",
    undefined,
    "Gateway URL the other gateways forward SSE POSTs to. Unset: `host` (on every interface: first external IPv4) and the bound port.",
  ),
  topicPartitions: opt("int", 12, "Partitions of the commands and events topics when they are created."),
  topicReplication: opt("int", 1, "Replication factor of topics when they are created."),
  postgresPoolSize: opt("int", 10, "Most PostgreSQL connections per process."),
  kafkaSessionTimeoutMs: opt(
    "int",
    3_000,
    "Consumer-group session of sequencers and sinks: how soon a dead one's partitions move (broker minimum: cluster.md).",
  ),
  // ---- inbound bridge (issue 17): external Kafka topics into rooms; off unless bridgeTopics is set
  bridgeTopics: opt(
    "list",
    [],
    "Topic-to-room mappings, each `<topic> room=<key|fixed:<room>|header:<name>|field:<path>> author=<user> [kind=<kind>]` (docs/kafka.md). Empty: no bridge.",
  ),
  bridgeBrokers: opt(
    "list",
    [],
    "Kafka brokers the bridge reads from (host:port,…); does not leave embedded mode. Empty: `kafka`.",
  ),
  bridgeGroup: opt("string", undefined, "Consumer group of the bridges. Unset: `<topicPrefix>bridge`."),
  bridgeDeadLetterTopic: opt(
    "string",
    undefined,
    "Where records that cannot become events go, with the reason in headers. Unset: `<topicPrefix>dead-letters`.",
  ),
  // ---- auth
  dev: opt("bool", false, "Dev mode: anyone connects as any user name, with every capability. Never in production."),
  jwtSecret: opt(
    "string",
    undefined,
    "HS256 secret (32+ bytes). If no auth is configured, one is generated in dataDir/secret.key.",
  ),
  jwksUrl: opt("string", undefined, "JWKS URL for RS256/ES256 tokens (instead of or beside jwtSecret)."),
  jwtPublicKey: opt("string", undefined, "PEM file of an RS256 public key for tokens."),
  jwtIssuer: opt("string", undefined, "Required `iss` claim, when set."),
  jwtAudience: opt("string", undefined, "Required `aud` claim, when set."),
  jwtMaxLifetimeHours: opt(
    "int",
    24,
    "Longest token lifetime (`exp` − `iat`) accepted; tokens without `exp` are refused. 0: no limit.",
  ),
  serverKeysFile: opt(
    "string",
    undefined,
    "JSON file of server keys for backends (the server API, docs/server-api.md), re-read when it changes. Unset: the server API is off.",
  ),
  // ---- limits (on by default)
  maxFrameBytes: opt("int", 65_536, "Largest inbound frame; larger closes the connection (ws 1009) or is rejected."),
  maxMessageBytes: opt("int", 16_384, "Largest event body (JSON-encoded) in a publish."),
  maxSubscriptionsPerConnection: opt("int", 100, "Rooms one connection may subscribe to."),
  maxConnectionsPerUser: opt("int", 20, "Concurrent connections per user on this node."),
  publishRatePerConnection: opt("int", 50, "Token-bucket refill, publishes/s per connection (burst 2×)."),
  publishRatePerUser: opt("int", 100, "Token-bucket refill, publishes/s per user across connections (burst 2×)."),
  typingRatePerConnection: opt(
    "int",
    2,
    "Typing notices/s per connection (burst 4); extra ones are dropped with RATE_LIMITED.",
  ),
  maxBufferedBytes: opt(
    "int",
    4_194_304,
    "Per-connection outbound buffer; beyond it the client is cut off (SLOW_CONSUMER).",
  ),
  maxErrorsPerMinute: opt(
    "int",
    60,
    "Protocol errors tolerated per connection per minute before closing TOO_MANY_ERRORS.",
  ),
  historyPageMax: opt("int", 500, "Largest history page."),
  userDirectory: opt(
    "string",
    "shared",
    "Who `GET /v1/users` lists: `shared` (users sharing a room with the caller) or `everyone` (every member of any room; a wider view, opt in).",
  ),
  resumeWithoutHistory: opt(
    "int",
    1000,
    "Most past events a `sub` with `since` replays to a token without `history` (0: live only); older are skipped, recovered: false.",
  ),
  maxConnections: opt("int", 50_000, "Open TCP connections this node accepts; more are closed on arrival. 0: no cap."),
  maxConnectionsPerAddress: opt(
    "int",
    1_000,
    "Open TCP connections per client IP address; more are closed on arrival. 0: no cap (behind a reverse proxy, where every client has its address).",
  ),
  headersTimeoutMs: opt(
    "int",
    10_000,
    "Time a connection has to send a request's complete headers (the first, or the next on a kept-alive one); then 408 and close.",
  ),
  requestTimeoutMs: opt(
    "int",
    30_000,
    "Time a connection has to send a whole request, headers and body; then 408 and close.",
  ),
  maxHeaderBytes: opt("int", 16_384, "Largest request line plus headers; larger is answered 431 and closed."),
  // ---- liveness
  heartbeatMs: opt("int", 5_000, "Server ping interval."),
  heartbeatTimeoutMs: opt("int", 15_000, "A connection silent this long is closed and leaves presence."),
  connectTimeoutMs: opt("int", 10_000, "Time allowed between socket open and the `connect` frame."),
  shutdownGraceMs: opt("int", 10_000, "Time to drain connections and flush the log on SIGTERM."),
  // ---- push and webhooks (notify/)
  push: opt("bool", true, "Send Web Push notifications (DMs, mentions) to users who are not in the room."),
  vapidPublicKey: opt(
    "string",
    undefined,
    "VAPID public key (base64url), with vapidPrivateKey. Neither set: a pair is kept in dataDir/vapid.json.",
  ),
  vapidPrivateKey: opt("string", undefined, "VAPID private key (base64url) for vapidPublicKey."),
  vapidSubject: opt(
    "string",
    undefined,
    "VAPID contact for push services (`mailto:` or `https:`). Unset: mailto:parley@localhost.",
  ),
  webhookAllowedHosts: opt(
    "list",
    [],
    "Hosts webhooks may target (`name` or `*.name`). Empty: any host with a public address (docs/chat.md).",
  ),
  outboundAllowedNetworks: opt(
    "list",
    [],
    "Networks (CIDR or address, e.g. 10.0.0.0/8, 127.0.0.1) webhooks and Web Push may reach though not public. Empty: public addresses only.",
  ),
  webhookMaxAttempts: opt("int", 8, "Tries per event before a webhook is marked failing and pauses."),
  webhookRetryBaseMs: opt("int", 1_000, "First retry delay of a webhook delivery; doubles per try (full jitter)."),
  webhookRetryMaxMs: opt("int", 60_000, "Longest delay between two webhook tries."),
  webhookPauseMs: opt("int", 300_000, "How long a failing webhook waits before it tries the same event again."),
  webhookTimeoutMs: opt("int", 10_000, "Timeout of one webhook POST (and of one push request)."),
  // ---- operations
  logLevel: opt("string", "info", "pino log level."),
  metrics: opt("bool", true, "Serve Prometheus metrics at /metrics."),
  webRoot: opt(
    "string",
    undefined,
    "Directory of static files served at / (the web app). Unset: the built web app found beside the server (the repository's apps/web/dist), if any; empty: none.",
  ),
} as const satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

type ValueOf<S extends OptionSpec> = S["type"] extends "int"
  ? number
  : S["type"] extends "bool"
    ? boolean
    : S["type"] extends "list"
      ? string[]
      : S["default"] extends string
        ? string
        : string | undefined;

/** Fully resolved server configuration. */
export type ParleyConfig = { -readonly [K in OptionName]: ValueOf<(typeof OPTIONS)[K]> };

/** The default configuration. */
export function defaultConfig(): ParleyConfig {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(OPTIONS)) {
    out[name] = Array.isArray(spec.default) ? [...(spec.default as string[])] : spec.default;
  }
  return out as ParleyConfig;
}
