import { OPTIONS, type ParleyConfig } from "../config/options.js";
import { ConfigError } from "../config/load-config.js";
import { checkedOrigin } from "./advertise-url.js";

/** A cluster process's job. */
export type ClusterRole = "gateway" | "sequencer" | "sink" | "bridge" | "redistributor";

const ROLES: readonly ClusterRole[] = ["gateway", "sequencer", "sink", "bridge", "redistributor"];
const ROUTINGS = ["everything", "redistributed", "auto"];

/**
 * True when the configuration asks for cluster mode (Kafka brokers given).
 * Throws ConfigError for cluster options without `--kafka`: embedded mode
 * would ignore them, and several such nodes behind a balancer would be
 * independent servers, each with its own rooms and history.
 */
export function isClusterMode(config: Pick<ParleyConfig, "kafka" | "postgres" | "role">): boolean {
  if (config.kafka.length > 0) return true;
  const stray = config.role !== OPTIONS.role.default ? `--role ${config.role}` : config.postgres ? "--postgres" : "";
  if (stray) {
    throw new ConfigError(
      `${stray} needs --kafka <brokers>: without it \`parley start\` runs the embedded mode (one process with its own SQLite store), and several such processes would be independent servers`,
    );
  }
  return false;
}

/**
 * The roles `--role` names, checked against what they need, so a
 * misconfigured node fails at start with a usage error instead of at its
 * first request. `all` is every role, the inbound bridge only when
 * `bridgeTopics` maps a topic (off unless configured), the redistributor only
 * with redistributed or auto routing (else it would read everything for nobody).
 */
export function clusterRoles(config: ClusterRoleConfig): Set<ClusterRole> {
  if (!["kafka", "direct"].includes(config.forwarding)) {
    throw new ConfigError(`--forwarding: must be kafka or direct, got ${JSON.stringify(config.forwarding)}`);
  }
  if (!ROUTINGS.includes(config.routing)) {
    throw new ConfigError(
      `--routing: must be everything, redistributed or auto, got ${JSON.stringify(config.routing)}`,
    );
  }
  if (config.routing === "auto" && (config.routingIntervalMs < 100 || config.routingHysteresis < 1)) {
    throw new ConfigError("--routing-interval-ms must be at least 100 and --routing-hysteresis at least 1");
  }
  const all = ROLES.filter(
    (r) =>
      (r !== "bridge" || config.bridgeTopics.length > 0) && (r !== "redistributor" || config.routing !== "everything"),
  );
  const roles = config.role === "all" ? new Set(all) : new Set([config.role as ClusterRole]);
  if (![...roles].every((r) => ROLES.includes(r))) {
    throw new ConfigError(
      `--role: must be gateway, sequencer, sink, bridge, redistributor or all, got ${JSON.stringify(config.role)}`,
    );
  }
  if (!isClusterMode(config)) throw new ConfigError(`--role ${config.role} needs --kafka <brokers>`);
  if (roles.has("bridge") && config.bridgeTopics.length === 0) {
    throw new ConfigError(`--role bridge needs --bridge-topics (the topics it maps to rooms; docs/kafka.md)`);
  }
  // The bridge reads room rules (private rooms, members) from PostgreSQL, as a gateway does.
  const needsPg = roles.has("gateway") || roles.has("sink") || roles.has("bridge");
  if (needsPg && !config.postgres) throw new ConfigError(`--role ${config.role} needs --postgres <url>`);
  // Without configured keys a node generates a secret into its own data dir: its tokens fail on every other gateway.
  if (roles.has("gateway") && !config.dev && !(config.jwtSecret || config.jwtPublicKey || config.jwksUrl)) {
    throw new ConfigError(
      `--role ${config.role} needs token keys shared by every gateway: --jwt-secret (or PARLEY_JWT_SECRET), --jwt-public-key or --jwks-url (or --dev); a secret generated into one gateway's data dir would make its tokens fail on the others`,
    );
  }
  if (config.advertiseUrl) checkedOrigin(config.advertiseUrl); // at start, not at the first forwarded POST
  return roles;
}

/** What clusterRoles checks. */
export type ClusterRoleConfig = Pick<
  ParleyConfig,
  | "kafka"
  | "postgres"
  | "role"
  | "routing"
  | "routingIntervalMs"
  | "routingHysteresis"
  | "forwarding"
  | "dev"
  | "jwtSecret"
  | "jwtPublicKey"
  | "jwksUrl"
  | "advertiseUrl"
  | "bridgeTopics"
>;
