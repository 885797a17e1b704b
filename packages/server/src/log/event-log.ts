import { ParleyError, type EventKind, type Json, type RoomEvent } from "@parley/protocol";

/** A publish accepted by a gateway, before it has a seq. */
export interface PublishCommand {
  readonly room: string;
  /** The publisher's clientMsgId: the dedupe key within the room. */
  readonly cmid: string;
  readonly from: string;
  readonly kind: EventKind;
  readonly body: Json;
}

/** What `append` resolves with. */
export interface AppendResult {
  /** The stored event: the new one, or the original when `duplicate`. */
  readonly event: RoomEvent;
  /** True when `cmid` was already sequenced in this room; nothing new was stored or delivered. */
  readonly duplicate: boolean;
}

/**
 * The answer to a publish whose (room, cmid) is already sequenced as
 * `original`: a retry of the same user's publish gets the original event; a
 * cmid another user sent is CMID_CONFLICT, so nobody is acked with someone
 * else's message while their own is dropped.
 */
export function duplicateOutcome(command: { readonly from: string }, original: RoomEvent): AppendResult | ParleyError {
  if (original.from === command.from) return { event: original, duplicate: true };
  return new ParleyError("CMID_CONFLICT", "another user already published this cmid in this room");
}

/** A room's stream position. */
export interface RoomHead {
  /** Changes whenever the room's stream is recreated (store wiped, topic recreated). */
  readonly epoch: string;
  /** Highest seq stored; 0 for an empty room. */
  readonly lastSeq: number;
}

/** Receives every sequenced event of every room. */
export type EventListener = (event: RoomEvent) => void;

/**
 * The sequenced, durable log of room events.
 *
 * Contract (every implementation passes `describeEventLogContract`):
 * - Order: per room, events get seq 1, 2, 3, … with no gap and no reuse, and
 *   listeners see each room's events in seq order exactly once per process.
 *   No ordering is promised across rooms.
 * - Durability: `append` resolves only after the event is durable (SQLite
 *   commit under the configured `synchronous` level; Kafka acks=all). After a
 *   crash and restart, every resolved append is readable with its seq.
 * - Idempotence: appending a `cmid` already sequenced in the room by the same
 *   `from` resolves with the original event and `duplicate: true`; by another
 *   `from` it rejects with CMID_CONFLICT (`duplicateOutcome`). Neither stores
 *   or emits anything. This holds across restarts and for as long as the
 *   room's events are retained.
 * - Live delivery: a listener receives an event only after it is durable, and
 *   before or at the same time as its `append` resolves.
 * - Reads: `read` returns stored events in ascending seq; an event visible to a
 *   listener is visible to `read` by the time the listener is called.
 * - Tombstones: once a `delete` (docs/chat.md) is readable, its target
 *   message and every `edit` of that message read back with TOMBSTONE_BODY,
 *   from every read path (a live listener still got the original event).
 * - Restart: `start` recovers every room's head from durable state; the epoch
 *   of a room survives restarts and changes only if its history is lost.
 */
export interface EventLog {
  /** Opens the log and recovers state. Must be called once before use. */
  start(): Promise<void>;
  /** Sequences and durably stores one publish. Rejects with ParleyError on failure. */
  append(command: PublishCommand): Promise<AppendResult>;
  /** Registers a live listener; returns an unsubscribe function. */
  subscribe(listener: EventListener): () => void;
  /** Events with `afterSeq < seq`, ascending, at most `limit`. */
  read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]>;
  /** Events with `seq < beforeSeq`, the newest `limit` of them, returned ascending. */
  readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]>;
  /** The room's epoch and last seq; creates the epoch for a room never seen. */
  head(room: string): Promise<RoomHead>;
  /** Flushes pending appends, then closes. Pending appends resolve or reject; none is left hanging. */
  close(): Promise<void>;
  /**
   * Optional: this process delivers `room`'s events (it has local
   * subscribers) until the returned function is called. A log that routes
   * events by interest (KafkaLog with redistributed routing) gives listeners
   * the events of the rooms held this way and of those recently appended to
   * or read; a log without it gives listeners every room.
   */
  interest?(room: string): () => void;
  /**
   * Optional: resolves true once this process's view of `room` reaches
   * `seq` (its head is at least `seq`), false after `waitMs`. Only a log
   * whose view can lag behind what was acked through another process has
   * it (KafkaLog: a reader behind, or a redistributor that took over and
   * forwards again from its committed offset); without it the head is the
   * truth, and a seq above it does not exist.
   */
  reach?(room: string, seq: number, waitMs: number): Promise<boolean>;
}
