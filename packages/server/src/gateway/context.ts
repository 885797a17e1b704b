import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import type { ParleyConfig } from "../config/options.js";
import type { TokenBucket } from "@parley/protocol";
import type { EventLog } from "../log/event-log.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Presence } from "../presence/presence.js";
import type { Policy } from "../policy/policy.js";
import type { Store } from "../store/store.js";
import type { RoomHub } from "./room-hub.js";
import type { InboxHub } from "./inbox-hub.js";
import type { SubscriptionOwner } from "./subscription.js";

/** What a session needs from its gateway: the dependencies plus node-wide bookkeeping. */
export interface GatewayContext {
  readonly log: EventLog;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly config: ParleyConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly presence: Presence;
  /** Room access, the publish pipeline and the history pager, shared with REST. */
  readonly policy: Policy;
  readonly hub: RoomHub;
  /** The inboxes of this gateway's connections (per-user channels). */
  readonly inboxes: InboxHub;
  /** True once `drain` began: new `connect`s are refused. */
  readonly draining: boolean;
  /** Counts a connection of `user`; false (counting nothing) when over maxConnectionsPerUser. */
  acquireUser(user: string): boolean;
  /** Releases a connection counted by `acquireUser`. */
  releaseUser(user: string): void;
  /** The per-user publish bucket shared by the user's connections on this node. */
  userBucket(user: string): TokenBucket;
  /** Delivers a checked typing notice of `sender` to the room's other live subscriptions, on every node. */
  typed(room: string, user: string, sender: SubscriptionOwner): void;
}
