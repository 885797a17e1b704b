/**
 * What chaos clients record while faults are injected, and what the history
 * checker judges afterwards. Plain data only, so hand-made histories can be
 * fed to the checker in unit tests and real runs can be dumped as JSON.
 */

/** One logical publish: a cmid, retried until acked (or refused for good). */
export interface PublishRecord {
  readonly client: string;
  readonly room: string;
  readonly cmid: string;
  /** The event kind published (`message` when absent, as in hand-made histories). */
  readonly kind?: string;
  /** The body published; when known, the stored event is checked against it (chat-fold-checker.ts). */
  readonly body?: unknown;
  /** Every ack received for this cmid, in arrival order (retries may be acked more than once). */
  readonly acks: number[];
  /** The last non-retryable error, when the publish was given up. */
  error?: string;
  /**
   * The publisher promises to keep its order (the SDK's outbox does; the raw
   * chaos clients retry each publish on its own and do not): its acked
   * publishes to a room must be sequenced in the order they were recorded.
   */
  readonly fifo?: boolean;
}

/** One event as a subscriber saw it, or as the final history holds it. */
export interface SeenEvent {
  readonly seq: number;
  readonly cmid: string;
  readonly id: string;
  /** Final histories carry kind and body, so the chat fold can be checked (absent for deliveries). */
  readonly kind?: string;
  readonly body?: unknown;
}

/**
 * One logical subscription of a client to a room. It spans reconnects: the
 * client resumes with `since = last seq`, so duplicates and gaps across a
 * resume show up inside one record.
 */
export interface SubscriptionRecord {
  readonly client: string;
  readonly room: string;
  /** The seq before the first event this subscription must receive (0: everything). */
  readonly startAfter: number;
  /** Whether the client may read the room; events received where it may not are violations. */
  readonly mayRead: boolean;
  /** True while subscribed; false once it unsubscribed or was refused. Only those that stayed must see everything. */
  stayed: boolean;
  /** Every event frame received for the room, in arrival order, duplicates included. */
  readonly events: SeenEvent[];
  /** The epoch of every `subscribed` reply, in order. */
  readonly epochs: string[];
  /** How many `subscribed` replies said `recovered: false`. */
  notRecovered: number;
}

/** A room's history as the server holds it at the end of the run. */
export interface RoomHistory {
  readonly room: string;
  readonly epoch: string;
  /** Ascending, as read page by page from seq 0. */
  readonly events: SeenEvent[];
}

/** Everything the checker needs. */
export interface ChaosHistory {
  readonly publishes: readonly PublishRecord[];
  readonly subscriptions: readonly SubscriptionRecord[];
  readonly rooms: readonly RoomHistory[];
}

/** A broken guarantee. */
export type ViolationKind =
  | "acked-not-in-history"
  | "acked-seq-mismatch"
  | "ack-seq-changed"
  | "history-gap"
  | "history-duplicate-cmid"
  | "acked-not-delivered"
  | "duplicate-delivery"
  | "delivery-gap"
  | "delivery-mismatch"
  | "unauthorized-read"
  | "unauthorized-write"
  | "epoch-changed"
  | "not-recovered"
  | "stored-kind-mismatch"
  | "stored-body-mismatch"
  | "tombstone-missing"
  | "unexpected-tombstone"
  | "publisher-order";

/** One violation with enough detail to find it in a dump. */
export interface Violation {
  readonly kind: ViolationKind;
  readonly room: string;
  readonly detail: string;
}
