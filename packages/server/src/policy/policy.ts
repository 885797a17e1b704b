/**
 * The rules every transport applies, built once at composition over the
 * node's log and (cached) store, so handlers name what they check and never
 * pass the store along.
 */
import type { ParleyConfig } from "../config/options.js";
import type { EventLog } from "../log/event-log.js";
import type { Metrics } from "../metrics/metrics.js";
import type { Store } from "../store/store.js";
import { RoomAccess } from "./access.js";
import { HistoryPager } from "./history.js";
import { InboxRooms } from "./inbox-rooms.js";
import { Membership } from "./membership.js";
import { Publisher } from "./publish.js";

/** Room access, the publish pipeline, the history pager, the membership rules and the inbox's reads of one node. */
export interface Policy {
  readonly access: RoomAccess;
  readonly publisher: Publisher;
  readonly history: HistoryPager;
  readonly membership: Membership;
  /** The store reads of the per-user channel (snapshot, one room's entry). */
  readonly inbox: InboxRooms;
}

/** What the policy is built from. */
export interface PolicyDeps {
  readonly log: EventLog;
  readonly store: Store;
  readonly config: Pick<ParleyConfig, "maxMessageBytes" | "historyPageMax" | "userDirectory">;
  readonly metrics?: Metrics | undefined;
}

/** Builds a node's policy. */
export function createPolicy({ log, store, config, metrics }: PolicyDeps): Policy {
  const access = new RoomAccess(store);
  return {
    access,
    publisher: new Publisher({ log, access, config, metrics }),
    history: new HistoryPager({ log, access, config }),
    membership: new Membership({
      log,
      store,
      access,
      directory: config.userDirectory === "everyone" ? "everyone" : "shared",
    }),
    inbox: new InboxRooms(store),
  };
}
