/**
 * Typing across gateways, independent of transport. A gateway delivers a
 * notice to its own subscribers at once and hands it here; the notices of
 * `batchMs` leave as one record (a keystroke burst across many users costs
 * a few records, not one each), and every other node delivers them to its
 * live subscribers of the room. Nothing is deduplicated or merged: a node
 * delivers exactly the notices the sender's gateway let through.
 */
import type { TypingListener, TypingRelay } from "../presence/typing-relay.js";

/** What nodes publish: one batch of notices, `[room, user]` pairs in the order they were typed. */
export interface TypingBatch {
  readonly node: string;
  readonly typing: ReadonlyArray<readonly [string, string]>;
}

/** Options of ClusterTyping. */
export interface ClusterTypingOptions {
  readonly nodeId: string;
  /** Sends a batch to the other nodes (best effort: a lost batch is lost notices). */
  readonly publish: (batch: TypingBatch) => void;
  /** Notices typed within this many ms leave as one batch. Default 20. */
  readonly batchMs?: number;
  /** A batch this long leaves at once, before its delay (bounds a record's size). Default 1000. */
  readonly maxBatch?: number;
}

/** Cluster-wide TypingRelay: batches this node's notices out, hands the others' to listeners. */
export class ClusterTyping implements TypingRelay {
  private pending: Array<readonly [string, string]> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<TypingListener>();

  constructor(private readonly options: ClusterTypingOptions) {}

  send(room: string, user: string): void {
    this.pending.push([room, user]);
    if (this.pending.length >= (this.options.maxBatch ?? 1000)) return this.flush();
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), this.options.batchMs ?? 20);
    this.timer.unref();
  }

  onTyping(listener: TypingListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Hands another node's batch to the listeners; this node's own and malformed entries are skipped. */
  apply(batch: TypingBatch): void {
    if (batch.node === this.options.nodeId) return;
    for (const entry of batch.typing) {
      const [room, user] = Array.isArray(entry) ? entry : [];
      if (typeof room !== "string" || typeof user !== "string") continue;
      for (const listener of this.listeners) listener(room, user);
    }
  }

  /** Drops pending notices (the node is stopping: they would arrive after its users left anyway). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const typing = this.pending;
    this.pending = [];
    if (typing.length > 0) this.options.publish({ node: this.options.nodeId, typing });
  }
}
