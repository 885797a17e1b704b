import type { OutboxEntry, OutboxStorage, ParleyClient, PublishAck } from "@parley/client";

/** An own message the outbox tracker knows of, from publish until the stream confirms it. */
export interface TrackedMessage {
  entry: OutboxEntry;
  /** `queued`: in the outbox, unacked; `acked`: durable, not yet seen in the stream; `failed`: refused for good. */
  status: "queued" | "acked" | "failed";
  ack?: PublishAck;
  error?: string;
  /** The server's stable error code of a refusal (`NOT_AUTHOR`, `FORBIDDEN`, …). */
  code?: string;
}

type Listener = () => void;

/**
 * An `OutboxStorage` wrapper that lets the UI see own messages before they
 * are acked: the client's outbox stores every message (with its cmid) before
 * sending it, so wrapping the storage is how the app learns the cmid at once,
 * also for messages restored from IndexedDB after a reload. Pass it as the
 * client's `outbox` and to `<ParleyProvider tracker>`.
 */
export class OutboxTracker implements OutboxStorage {
  #messages = new Map<string, TrackedMessage>();
  #snapshot: readonly TrackedMessage[] = [];
  readonly #listeners = new Set<Listener>();

  constructor(private readonly inner: OutboxStorage) {}

  /** Every tracked message, in outbox order; a new array after each change (for useSyncExternalStore). */
  get messages(): readonly TrackedMessage[] {
    return this.#snapshot;
  }

  /** Listens to changes; returns the unsubscribe function. */
  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /** Follows the client's ack and rejected events; returns a function that stops. */
  attach(client: ParleyClient): () => void {
    const offAck = client.on("ack", (ack) => this.#update(ack.cmid, (t) => ({ ...t, status: "acked", ack })));
    const offRejected = client.on("rejected", ({ cmid, error }) =>
      this.#update(cmid, (t) => ({ ...t, status: "failed", error: error.message, ...codeOf(error) })),
    );
    return () => {
      offAck();
      offRejected();
    };
  }

  /** Drops messages the stream has confirmed, or failed ones the user dismissed. */
  forget(cmids: Iterable<string>): void {
    let changed = false;
    for (const cmid of cmids) changed = this.#messages.delete(cmid) || changed;
    if (changed) this.#emit();
  }

  async load(): Promise<OutboxEntry[]> {
    const entries = await this.inner.load();
    for (const entry of entries) this.#messages.set(entry.cmid, { entry, status: "queued" });
    this.#emit();
    return entries;
  }

  async put(entry: OutboxEntry): Promise<void> {
    this.#messages.set(entry.cmid, { entry, status: "queued" });
    this.#emit();
    await this.inner.put(entry);
  }

  /** The outbox removes an entry just before it reports ack or rejection; keep it until then. */
  async remove(cmid: string): Promise<void> {
    await this.inner.remove(cmid);
  }

  #update(cmid: string, fn: (t: TrackedMessage) => TrackedMessage): void {
    const current = this.#messages.get(cmid);
    if (!current) return;
    this.#messages.set(cmid, fn(current));
    this.#emit();
  }

  #emit(): void {
    this.#snapshot = [...this.#messages.values()].sort((a, b) => a.entry.order - b.entry.order);
    for (const listener of [...this.#listeners]) listener();
  }
}

function codeOf(error: Error): { code?: string } {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" ? { code } : {};
}
