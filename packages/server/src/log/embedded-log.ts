import { randomBytes } from "node:crypto";
import { ParleyError, type RoomEvent } from "@parley/protocol";
import type { AppendResult, EventListener, EventLog, PublishCommand, RoomHead } from "./event-log.js";
import { SqliteEvents } from "./sqlite-events.js";
import type { SqliteDb } from "../store/sqlite-db.js";
import { DedupeCache } from "../sequencer/dedupe-cache.js";
import { createEventIdGenerator } from "../sequencer/event-id.js";
import { SequencerBatch, type RoomState, type SequenceDecision } from "../sequencer/sequencer.js";

/** Options of EmbeddedLog. */
export interface EmbeddedLogOptions {
  /** Longest a publish waits for its group commit to start (used by `flush: "interval"`). */
  readonly commitIntervalMs: number;
  /**
   * When a batch is committed. `tick` (default): on the next event-loop turn, so a batch is whatever
   * arrived while the previous commit ran; measured (bench/durable-publish) to give the same throughput
   * as `interval` with several times lower ack latency. `interval`: commitIntervalMs after the first append.
   */
  readonly flush?: "tick" | "interval";
  /** Most publishes committed in one transaction. */
  readonly commitMaxBatch: number;
  /** How long the in-memory dedupe cache keeps a cmid; misses fall back to the database. */
  readonly dedupeWindowHours: number;
  /** Bound on the dedupe cache's size. Default 200 000 entries. */
  readonly dedupeMaxEntries?: number;
  /** Clock for event timestamps. Default Date.now. */
  readonly now?: () => number;
  /** Called when a listener throws; the log goes on delivering. Default: console.error. */
  readonly onListenerError?: (err: unknown, event: RoomEvent) => void;
}

interface Pending {
  readonly command: PublishCommand;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (err: unknown) => void;
}

/** A new random room epoch. */
function newEpoch(): string {
  return randomBytes(9).toString("base64url");
}

/**
 * The EventLog of embedded mode, on the SQLite database shared with
 * SqliteStore. Appends queue up and are sequenced and written in one
 * transaction per batch (group commit); promises resolve and listeners run
 * only after COMMIT. SQLite calls are synchronous, so a batch is never
 * interleaved with another batch, a read or a head() call.
 */
export class EmbeddedLog implements EventLog {
  private readonly events: SqliteEvents;
  private readonly cache: DedupeCache;
  private readonly newId = createEventIdGenerator();
  private readonly now: () => number;
  /** Committed heads of the rooms touched since start (loaded lazily from room_heads). */
  private readonly heads = new Map<string, RoomState>();
  private readonly listeners = new Set<EventListener>();
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private state: "new" | "open" | "closed" = "new";

  constructor(
    private readonly db: SqliteDb,
    private readonly options: EmbeddedLogOptions,
  ) {
    this.events = new SqliteEvents(db);
    this.now = options.now ?? Date.now;
    this.cache = new DedupeCache({
      windowMs: options.dedupeWindowHours * 3_600_000,
      maxEntries: options.dedupeMaxEntries ?? 200_000,
    });
  }

  /** Heads are recovered lazily from room_heads on first use, so start only opens the log. */
  async start(): Promise<void> {
    if (this.state === "closed") throw new ParleyError("UNAVAILABLE", "log is closed");
    this.state = "open";
  }

  append(command: PublishCommand): Promise<AppendResult> {
    if (this.state !== "open") {
      const code = this.state === "closed" ? "SHUTTING_DOWN" : "UNAVAILABLE";
      return Promise.reject(new ParleyError(code, `log is ${this.state === "closed" ? "closed" : "not started"}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ command, resolve, reject });
      this.schedule();
    });
  }

  subscribe(listener: EventListener): () => void {
    // A wrapper makes each subscription distinct even when the same function subscribes twice.
    const entry: EventListener = (e) => listener(e);
    this.listeners.add(entry);
    return () => void this.listeners.delete(entry);
  }

  async read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    return this.guard(() => this.events.readAfter(room, afterSeq, Math.floor(limit)));
  }

  async readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    return this.guard(() => this.events.readBefore(room, beforeSeq, Math.floor(limit)));
  }

  async head(room: string): Promise<RoomHead> {
    return this.guard(() => {
      const known = this.committedHead(room);
      if (known) return known;
      this.events.createHead(room, { epoch: newEpoch(), lastSeq: 0 });
      return this.committedHead(room) as RoomState;
    });
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.clearTimer();
    this.flushAll();
    this.state = "closed";
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof ParleyError ? err : new ParleyError("UNAVAILABLE", `log: ${(err as Error).message}`);
    }
  }

  /** The committed head of a room, from memory or the database; undefined for a room never seen. */
  private committedHead(room: string): RoomState | undefined {
    const cached = this.heads.get(room);
    if (cached) return cached;
    const stored = this.events.head(room);
    if (!stored) return undefined;
    // Heads and events are written in one transaction, so they agree; the events table wins if not.
    const head = { epoch: stored.epoch, lastSeq: Math.max(stored.lastSeq, this.events.maxSeq(room)) };
    this.heads.set(room, head);
    return head;
  }

  private schedule(): void {
    if (this.queue.length >= this.options.commitMaxBatch) {
      // A full batch goes now, but after the caller's synchronous code, so listeners never run inside append().
      this.clearTimer();
      this.timer = setImmediate(() => this.onTimer());
      return;
    }
    if (this.timer) return;
    const ms = this.options.flush === "interval" ? this.options.commitIntervalMs : 0;
    this.timer = ms > 0 ? setTimeout(() => this.onTimer(), ms) : setImmediate(() => this.onTimer());
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    this.flushAll();
  }

  private flushAll(): void {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.options.commitMaxBatch);
      this.queue = this.queue.slice(batch.length);
      this.commitBatch(batch);
    }
  }

  /** Sequences, writes and commits one batch, then settles it. Nothing in memory changes before COMMIT. */
  private commitBatch(batch: Pending[]): void {
    const now = this.now();
    const seq = new SequencerBatch(
      (room) => this.committedHead(room) ?? { epoch: newEpoch(), lastSeq: 0 },
      (room, cmid) => this.cache.get(room, cmid, now) ?? this.events.findByCmid(room, cmid),
      this.newId,
    );
    let decisions: SequenceDecision[];
    try {
      decisions = this.db
        .transaction(() => {
          const out = batch.map((p) => seq.decide(p.command, now));
          for (const e of seq.appended) this.events.insert(e);
          for (const [room, state] of seq.touched()) this.events.saveHead(room, state);
          return out;
        })
        .immediate();
    } catch (err) {
      const error = new ParleyError("UNAVAILABLE", `commit failed: ${(err as Error).message}`);
      for (const p of batch) p.reject(error);
      return;
    }
    this.afterCommit(seq, now);
    batch.forEach((p, i) => {
      const d = decisions[i] as SequenceDecision;
      p.resolve({ event: d.event, duplicate: d.type === "duplicate" });
    });
  }

  private afterCommit(seq: SequencerBatch, now: number): void {
    for (const [room, state] of seq.touched()) this.heads.set(room, state);
    for (const e of seq.appended) this.cache.add(e, now);
    if (this.listeners.size === 0) return;
    const listeners = [...this.listeners];
    for (const e of seq.appended) {
      for (const l of listeners) {
        try {
          l(e);
        } catch (err) {
          (this.options.onListenerError ?? defaultListenerError)(err, e);
        }
      }
    }
  }
}

function defaultListenerError(err: unknown, event: RoomEvent): void {
  console.error(`parley: event listener threw on ${event.room}#${event.seq}:`, err);
}
