import { ParleyError, type ConnectionLimits, type EventKind, type Json, type ServerFrame } from "@parley/protocol";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import type { OutboxEntry, OutboxStorage } from "./outbox-storage.js";
import { PublishPacer } from "./outbox-pacer.js";
import type { TimerHandle, Timers } from "./timers.js";

/** The server's acknowledgement of a published message. */
export interface PublishAck {
  room: string;
  cmid: string;
  /** The message's seq in the room (the original one when `dup`). */
  seq: number;
  ts: number;
  /** True when the server had already accepted this cmid (a retry after a lost ack). */
  dup: boolean;
}

/** How the outbox puts a `pub` on the wire. */
export interface PublishSender {
  /** Sends the entry; false when not connected. Exactly one callback follows a true. */
  send(entry: OutboxEntry, onReply: (frame: ServerFrame) => void, onFail: (error: Error) => void): boolean;
}

/** How an entry ended: acked, or refused for good. */
export type OutboxSettlement = { entry: OutboxEntry; ack: PublishAck } | { entry: OutboxEntry; error: Error };

/** Outbox collaborators. */
export interface OutboxOptions {
  storage: OutboxStorage;
  sender: PublishSender;
  timers: Timers;
  backoff: BackoffOptions;
  random?: () => number;
  newId: () => string;
  /** Called once per entry when it leaves the outbox (also for entries loaded from storage). */
  onSettled?: (settlement: OutboxSettlement) => void;
  /** Storage failures that are not tied to one publish call. */
  onError?: (error: Error) => void;
}

interface Slot {
  entry: OutboxEntry;
  persisted: boolean;
  inFlight: boolean;
  attempts: number;
  retryTimer?: TimerHandle;
  waiters: Array<{ resolve: (ack: PublishAck) => void; reject: (error: Error) => void }>;
}

/**
 * Messages on their way: each is stored before it is sent, resent with the
 * same cmid after every reconnect until acked, and removed on ack or on a
 * non-retryable error. The server dedupes by cmid, so resending is always
 * safe and delivery is exactly once.
 *
 * Order: each room is a FIFO with one message on the wire at a time. The next
 * message of a room goes only after the one before it was acked or refused for
 * good, so a retryable refusal (RATE_LIMITED, UNAVAILABLE, a dropped link)
 * holds the rest of the room behind it and the server sequences a client's
 * messages to a room in `publish()` order. Rooms do not wait for each other.
 *
 * Pacing: sends take a token from a bucket mirroring the one the server
 * announced in `connected.limits`, so a backlog drains at the allowed rate
 * instead of running into RATE_LIMITED.
 */
export class Outbox {
  readonly #slots = new Map<string, Slot>();
  readonly ready: Promise<void>;
  #nextOrder = 1;
  #connected = false;
  #pacer: PublishPacer | undefined;
  #paceTimer: TimerHandle | undefined;

  constructor(private readonly options: OutboxOptions) {
    this.ready = this.#load();
  }

  /** Number of messages not yet acked. */
  get size(): number {
    return this.#slots.size;
  }

  /** Unacked entries in send order. */
  entries(): OutboxEntry[] {
    return [...this.#slots.values()].map((s) => s.entry);
  }

  /** Stores a message, sends it when possible, and resolves on its ack. */
  async publish(room: string, body: Json, kind?: EventKind): Promise<PublishAck> {
    await this.ready;
    const entry: OutboxEntry = {
      cmid: this.options.newId(),
      room,
      body,
      order: this.#nextOrder++,
      createdAt: Date.now(),
    };
    if (kind !== undefined) entry.kind = kind;
    const slot: Slot = { entry, persisted: false, inFlight: false, attempts: 0, waiters: [] };
    this.#slots.set(entry.cmid, slot);
    const acked = new Promise<PublishAck>((resolve, reject) => slot.waiters.push({ resolve, reject }));
    this.options.storage.put(entry).then(
      () => this.#persisted(slot),
      (error: unknown) => this.#settle(slot, { entry, error: asError(error) }),
    );
    return acked;
  }

  /** The link is up: send everything unacked, in order, at the pace `limits` allow (none given: unpaced). */
  onConnected(limits?: ConnectionLimits): void {
    this.#connected = true;
    this.#pacer = PublishPacer.from(limits, this.options.timers.now());
    void this.ready.then(() => this.#pump());
  }

  /** The link is down: nothing is sent until `onConnected`. In-flight sends fail via their callbacks. */
  onDisconnected(): void {
    this.#connected = false;
    this.#clearPace();
  }

  /** Stops retry timers (the client is shutting down); entries stay stored. */
  dispose(): void {
    this.#connected = false;
    this.#clearPace();
    for (const slot of this.#slots.values()) this.#clearRetry(slot);
  }

  async #load(): Promise<void> {
    try {
      const entries = await this.options.storage.load();
      for (const entry of entries) {
        this.#slots.set(entry.cmid, { entry, persisted: true, inFlight: false, attempts: 0, waiters: [] });
        this.#nextOrder = Math.max(this.#nextOrder, entry.order + 1);
      }
    } catch (error) {
      this.options.onError?.(asError(error));
    }
  }

  #persisted(slot: Slot): void {
    slot.persisted = true;
    this.#pump();
  }

  /**
   * Sends the oldest entry of each room when it is stored and idle, oldest
   * first across rooms, while the pacer has tokens. An entry that is being
   * stored, on the wire or waiting for its retry holds back its room.
   */
  #pump(): void {
    const held = new Set<string>();
    for (const slot of this.#slots.values()) {
      if (!this.#connected) return;
      const { room } = slot.entry;
      if (held.has(room)) continue;
      held.add(room);
      if (!slot.persisted || slot.inFlight || slot.retryTimer !== undefined) continue;
      if (!this.#takeToken()) return;
      slot.inFlight = this.options.sender.send(
        slot.entry,
        (frame) => this.#onReply(slot, frame),
        () => this.#onFail(slot),
      );
    }
  }

  /** A token to send now; without one, pumps again when the next is due. */
  #takeToken(): boolean {
    const pacer = this.#pacer;
    if (!pacer) return true;
    const now = this.options.timers.now();
    if (pacer.take(now)) return true;
    if (this.#paceTimer === undefined) {
      this.#paceTimer = this.options.timers.setTimeout(() => {
        this.#paceTimer = undefined;
        this.#pump();
      }, pacer.waitMs(now));
    }
    return false;
  }

  #clearPace(): void {
    if (this.#paceTimer !== undefined) this.options.timers.clearTimeout(this.#paceTimer);
    this.#paceTimer = undefined;
  }

  #onReply(slot: Slot, frame: ServerFrame): void {
    slot.inFlight = false;
    if (frame.t === "ack") {
      const ack: PublishAck = { room: frame.room, cmid: frame.cmid, seq: frame.seq, ts: frame.ts, dup: frame.dup };
      this.#settle(slot, { entry: slot.entry, ack });
    } else if (frame.t === "error" && !frame.retryable) {
      this.#settle(slot, { entry: slot.entry, error: new ParleyError(frame.code, frame.message) });
    } else {
      // Our bucket ran ahead of the server's (another connection of the user, clock drift): start from empty.
      if (frame.t === "error" && frame.code === "RATE_LIMITED") this.#pacer?.drain(this.options.timers.now());
      this.#scheduleRetry(slot);
    }
  }

  /** The link dropped before the ack: `onConnected` will resend. */
  #onFail(slot: Slot): void {
    slot.inFlight = false;
  }

  /** The entry (and so its room) waits out its backoff; the other rooms go on. */
  #scheduleRetry(slot: Slot): void {
    const delay = backoffDelay(slot.attempts++, this.options.backoff, this.options.random);
    slot.retryTimer = this.options.timers.setTimeout(() => {
      slot.retryTimer = undefined;
      this.#pump();
    }, delay);
  }

  #clearRetry(slot: Slot): void {
    if (slot.retryTimer !== undefined) this.options.timers.clearTimeout(slot.retryTimer);
    slot.retryTimer = undefined;
  }

  #settle(slot: Slot, settlement: OutboxSettlement): void {
    // A second ack for the same cmid (a late duplicate) finds no slot and is ignored.
    if (this.#slots.get(slot.entry.cmid) !== slot) return;
    this.#slots.delete(slot.entry.cmid);
    this.#clearRetry(slot);
    this.options.storage.remove(slot.entry.cmid).catch((error: unknown) => this.options.onError?.(asError(error)));
    for (const waiter of slot.waiters) {
      if ("ack" in settlement) waiter.resolve(settlement.ack);
      else waiter.reject(settlement.error);
    }
    this.options.onSettled?.(settlement);
    // The room's next entry may go now.
    this.#pump();
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
