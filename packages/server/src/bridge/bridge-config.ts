/**
 * The bridge's settings from the server configuration, checked at start so a
 * misconfigured bridge is a usage error, not a node that quietly drops records.
 * Off unless `bridgeTopics` is set.
 */
import type { ParleyConfig } from "../config/options.js";
import { ConfigError } from "../config/load-config.js";
import { parseMappings, type TopicMapping } from "./mapping.js";

/** What a bridge needs to know besides its publisher. */
export interface BridgeSettings {
  readonly brokers: readonly string[];
  readonly group: string;
  readonly mappings: readonly TopicMapping[];
  readonly deadLetterTopic: string;
  /** Partitions and replication of the dead-letter topic when the bridge creates it. */
  readonly partitions: number;
  readonly replication: number;
  readonly sessionTimeoutMs: number;
}

/** The options the bridge reads. */
export type BridgeConfig = Pick<
  ParleyConfig,
  | "bridgeTopics"
  | "bridgeBrokers"
  | "bridgeGroup"
  | "bridgeDeadLetterTopic"
  | "kafka"
  | "topicPrefix"
  | "topicPartitions"
  | "topicReplication"
  | "kafkaSessionTimeoutMs"
>;

/** The bridge's settings, or undefined when no topic is mapped; throws ConfigError for a bad configuration. */
export function bridgeSettings(config: BridgeConfig): BridgeSettings | undefined {
  const mappings = parseMappings(config.bridgeTopics);
  if (mappings.length === 0) {
    if (config.bridgeBrokers.length > 0) throw new ConfigError("bridgeBrokers is set but bridgeTopics maps no topic");
    return undefined;
  }
  const brokers = config.bridgeBrokers.length > 0 ? config.bridgeBrokers : config.kafka;
  if (brokers.length === 0) {
    throw new ConfigError("bridgeTopics needs Kafka brokers to read from: --bridge-brokers <host:port,…> (or --kafka)");
  }
  const deadLetterTopic = config.bridgeDeadLetterTopic ?? `${config.topicPrefix}dead-letters`;
  if (mappings.some((m) => m.topic === deadLetterTopic)) {
    throw new ConfigError(`bridgeTopics maps the dead-letter topic ${deadLetterTopic}: its records would loop`);
  }
  return {
    brokers,
    group: config.bridgeGroup ?? `${config.topicPrefix}bridge`,
    mappings,
    deadLetterTopic,
    partitions: config.topicPartitions,
    replication: config.topicReplication,
    sessionTimeoutMs: config.kafkaSessionTimeoutMs,
  };
}
