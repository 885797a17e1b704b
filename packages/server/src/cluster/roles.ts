import type { ParleyConfig } from "../config/options.js";
import { ConfigError } from "../config/load-config.js";

/** A cluster process's job. */
export type ClusterRole = "gateway" | "sequencer" | "sink";

const ALL: readonly ClusterRole[] = ["gateway", "sequencer", "sink"];

/** True when the configuration asks for cluster mode (Kafka brokers given). */
export function isClusterMode(config: Pick<ParleyConfig, "kafka">): boolean {
  return config.kafka.length > 0;
}

/**
 * The roles `--role` names (`all` = every role), checked against what they
 * need, so a misconfigured node fails at start with a usage error instead of
 * at its first request.
 */
export function clusterRoles(config: Pick<ParleyConfig, "kafka" | "postgres" | "role">): Set<ClusterRole> {
  const roles = config.role === "all" ? new Set(ALL) : new Set([config.role as ClusterRole]);
  if (![...roles].every((r) => ALL.includes(r))) {
    throw new ConfigError(`--role: must be gateway, sequencer, sink or all, got ${JSON.stringify(config.role)}`);
  }
  if (!isClusterMode(config)) throw new ConfigError(`--role ${config.role} needs --kafka <brokers>`);
  const needsPg = roles.has("gateway") || roles.has("sink");
  if (needsPg && !config.postgres) throw new ConfigError(`--role ${config.role} needs --postgres <url>`);
  return roles;
}
