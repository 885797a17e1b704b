/**
 * Cluster mode's notifier, run by the sink role (docs/cluster.md): the sink's
 * consumer group already gives each events partition to exactly one sink, so
 * each event is turned into pushes once (again only when a batch is replayed
 * after a crash or rebalance). It is fed after PostgreSQL committed the batch,
 * so a webhook worker reading PostgreSQL finds every event it was woken for.
 * Cluster-wide presence comes from its own PresenceLink; webhooks are
 * delivered by one sink at a time (PostgresLeadership).
 */
import type pg from "pg";
import { PresenceLink } from "./presence-link.js";
import type { ParleyConfig } from "../config/options.js";
import type { Logger } from "../logger.js";
import { PostgresEvents } from "../postgres/events.js";
import { PostgresStore } from "../postgres/store.js";
import { EventRelay } from "../notify/event-relay.js";
import { NotifyService } from "../notify/notify-service.js";
import { PostgresNotifyStore } from "../postgres/notify-store.js";
import { PostgresLeadership } from "../notify/webhook-leader.js";

/** The running cluster notifier; `relay` is what the sink feeds. */
export interface ClusterNotifier {
  readonly relay: EventRelay;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Builds the notifier of a sink process on its PostgreSQL pool. */
export function clusterNotifier(config: ParleyConfig, pool: pg.Pool, logger: Logger): ClusterNotifier {
  const relay = new EventRelay();
  const link = new PresenceLink({
    brokers: config.kafka,
    topicPrefix: config.topicPrefix,
    replication: config.topicReplication,
    logger,
  });
  const events = new PostgresEvents(pool);
  const notifyStore = new PostgresNotifyStore(pool);
  let service: NotifyService | undefined;
  return {
    relay,
    async start() {
      await link.start();
      service = await NotifyService.create({
        config,
        log: {
          subscribe: (l) => relay.subscribe(l),
          read: (room, after, limit) => events.readAfter(room, after, limit),
        },
        store: new PostgresStore(pool),
        presence: link.presence,
        notifyStore,
        logger,
        vapidSource: { kind: "store", store: notifyStore },
        webhookLeadership: new PostgresLeadership(pool, logger),
      });
      await service.start();
    },
    async stop() {
      await service?.stop();
      await link.stop();
    },
  };
}
