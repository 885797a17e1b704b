/**
 * The `bridge` cluster role (docs/kafka.md, "Inbound topics"): the inbound
 * bridge with a Kafka log of its own, whose appends go through the
 * sequencers like a gateway's, and the PostgreSQL store for the room rules
 * its publishes are checked against. No room rule cache: a gateway's cache
 * forgets a room when it reads the room's membership events, which the bridge
 * does not follow, so it asks PostgreSQL on every publish.
 */
import { Bridge } from "../bridge/bridge.js";
import type { BridgeSettings } from "../bridge/bridge-config.js";
import type { ParleyConfig } from "../config/options.js";
import { KafkaLog } from "../kafka/log/kafka-log.js";
import type { KafkaClusterOptions } from "../kafka/topics.js";
import type { Logger } from "../logger.js";
import type { Metrics } from "../metrics/metrics.js";
import { createPolicy } from "../policy/policy.js";
import type { PostgresDb } from "../postgres/db.js";
import { PostgresEvents } from "../postgres/events.js";
import { PostgresHistory } from "../postgres/history.js";
import { PostgresStore } from "../postgres/store.js";

/** What the role is built from. */
export interface BridgeRoleDeps {
  readonly settings: BridgeSettings;
  readonly cluster: KafkaClusterOptions;
  readonly db: PostgresDb;
  readonly config: ParleyConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** A started bridge role. */
export interface BridgeRole {
  /** Stops the bridge (its records in hand finish and are committed), then closes its log. */
  stop(): Promise<void>;
}

/** Opens the role's log and store and starts the bridge. */
export async function startBridgeRole(deps: BridgeRoleDeps): Promise<BridgeRole> {
  const { settings, cluster, db, config, logger, metrics } = deps;
  const log = new KafkaLog({ cluster, history: new PostgresHistory(new PostgresEvents(db.pool)) });
  const store = new PostgresStore(db.pool);
  await log.start();
  await store.start();
  const policy = createPolicy({ log, store, config, metrics });
  const bridge = new Bridge({ settings, publisher: policy.publisher, logger, metrics });
  try {
    await bridge.start();
  } catch (err) {
    await bridge.stop().catch(() => undefined);
    await log.close();
    throw err;
  }
  return {
    async stop() {
      await bridge.stop();
      await log.close();
      await store.close();
    },
  };
}
