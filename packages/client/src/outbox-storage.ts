import type { EventKind, Json } from "@parley/protocol";

/** A message waiting for its ack. */
export interface OutboxEntry {
  /** Client message id: the server's dedupe key, identical on every retry. */
  cmid: string;
  room: string;
  kind?: EventKind;
  body: Json;
  /** Monotonic position in the outbox: entries are sent in this order. */
  order: number;
  /** When the app published it, ms since the epoch. */
  createdAt: number;
}

/**
 * Where unacked messages wait. `put` must be durable when its promise
 * resolves: the client sends a message only after it is stored, so a crash or
 * a page reload never loses a message the app was told is on its way.
 */
export interface OutboxStorage {
  /** Every stored entry, in `order`. */
  load(): Promise<OutboxEntry[]>;
  /** Stores (or replaces) an entry by cmid. */
  put(entry: OutboxEntry): Promise<void>;
  /** Deletes an entry by cmid; deleting a missing entry is not an error. */
  remove(cmid: string): Promise<void>;
}

/** The default storage: in memory, so it survives reconnects but not a process restart. */
export class MemoryOutboxStorage implements OutboxStorage {
  readonly #entries = new Map<string, OutboxEntry>();

  async load(): Promise<OutboxEntry[]> {
    return [...this.#entries.values()].sort((a, b) => a.order - b.order);
  }

  async put(entry: OutboxEntry): Promise<void> {
    this.#entries.set(entry.cmid, structuredClone(entry));
  }

  async remove(cmid: string): Promise<void> {
    this.#entries.delete(cmid);
  }
}
