import { randomBytes } from "node:crypto";
import { ParleyError, type RoomEvent } from "@parley/protocol";
import { EventListeners, type ListenerErrorHandler } from "../log/event-listeners.js";
import {
  duplicateOutcome,
  type AppendResult,
  type EventListener,
  type EventLog,
  type PublishCommand,
  type RoomHead,
} from "../log/event-log.js";
import { SqliteEvents, eventValues } from "./events.js";
import type { SqliteDb } from "./db.js";
import { CmidIndex } from "./cmid-index.js";
import { LogWriter, type WriteBatch } from "./log-writer.js";
import { latencyTrace } from "../metrics/latency-trace.js";
import { projectEvents } from "../chat/projection.js";
import { createEventIdGenerator } from "../sequencer/event-id.js";
import { SequencerBatch, type RoomState, type SequenceDecision } from "../sequencer/sequencer.js";

/** Options of EmbeddedLog. */
export interface EmbeddedLogOptions {
  /** Longest a publish waits for its group commit to start (`flush: "interval"`), and the spacing of `spaced`. */
  readonly commitIntervalMs: number;
  /**
   * When a batch is committed. `spaced` (default): on the next event-loop turn, but no sooner than
   * commitIntervalMs after the previous commit started, unless the batch is full. An idle log commits at
   * once; a busy one at most once per interval, so a commit's fixed cost (the transaction, the fsync, two
   * thread wake-ups) is shared by what arrives meanwhile: at DM rates `tick` committed 1–2 events at a
   * time (docs/performance.md, issue 18). `tick`: always on the next turn, so a batch is whatever arrived
   * while the previous commit ran. `interval`: commitIntervalMs after the first append.
   */
  readonly flush?: "spaced" | "tick" | "interval";
  /** Most publishes committed in one transaction. */
  readonly commitMaxBatch: number;
  /** How long the in-memory dedupe cache keeps a cmid; misses fall back to the database. */
  readonly dedupeWindowHours: number;
  /** Bound on the dedupe cache's size. Default 200 000 entries. */
  readonly dedupeMaxEntries?: number;
  /** Clock for event timestamps. Default Date.now. */
  readonly now?: () => number;
  /** Called when a listener throws; the log goes on delivering. Default: console.error. */
  readonly onListenerError?: ListenerErrorHandler;
}

interface Pending {
  readonly command: PublishCommand;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (err: unknown) => void;
}

/** A head() call for a room with no stored epoch; it is answered where it stands among the appends. */
interface HeadRequest {
  readonly room: string;
  readonly resolve: (head: RoomHead) => void;
  readonly reject: (err: unknown) => void;
}

type Queued = Pending | HeadRequest;

const isAppend = (q: Queued): q is Pending => "command" in q;

/** One batch, sequenced and ready to write. */
interface Plan {
  readonly seq: SequencerBatch;
  /** Per queued item, in order: the append's decision, or the head at that point. */
  readonly outcomes: (SequenceDecision | RoomState)[];
  readonly created: Map<string, RoomState>;
  readonly write: Omit<WriteBatch, "id">;
}

/** A new random room epoch. */
function newEpoch(): string {
  return randomBytes(9).toString("base64url");
}

/**
 * The EventLog of embedded mode, on the SQLite database shared with
 * SqliteStore. Appends queue up and are sequenced here, on the main thread,
 * then written in one transaction per batch (group commit) by a writer
 * thread with its own connection (log-writer.ts), so the commit's fsync never
 * blocks the event loop. Reads use the main connection (WAL lets them run
 * beside the writer). One batch is in flight at a time and the next is
 * sequenced only after it committed: heads and the dedupe cache change only
 * after COMMIT, so a failed batch leaves nothing to undo, and promises resolve
 * and listeners run in commit order.
 */
export class EmbeddedLog implements EventLog {
  private readonly events: SqliteEvents;
  private readonly cmids: CmidIndex;
  private readonly writer: LogWriter;
  private readonly newId = createEventIdGenerator();
  private readonly now: () => number;
  /** Committed heads of the rooms touched since start (loaded lazily from room_heads). */
  private readonly heads = new Map<string, RoomState>();
  private readonly listeners: EventListeners;
  /** Appends, and head() calls for new rooms, in call order. */
  private queue: Queued[] = [];
  private inFlight: Promise<void> | undefined;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  /** performance.now() when the latest commit was sent (`spaced`). */
  private lastSendAt = -Infinity;
  private readonly flush: NonNullable<EmbeddedLogOptions["flush"]>;
  private state: "new" | "open" | "closed" = "new";
  private writerReady: Promise<void> | undefined;

  constructor(
    db: SqliteDb,
    private readonly options: EmbeddedLogOptions,
  ) {
    if (db.memory) throw new Error("EmbeddedLog needs a database file: its writer thread opens a second connection");
    this.flush = options.flush ?? "spaced";
    this.events = new SqliteEvents(db);
    this.writer = new LogWriter({ file: db.name, synchronous: db.pragma("synchronous", { simple: true }) as number });
    this.now = options.now ?? Date.now;
    this.listeners = new EventListeners(options.onListenerError);
    this.cmids = new CmidIndex({
      windowMs: options.dedupeWindowHours * 3_600_000,
      maxEntries: options.dedupeMaxEntries ?? 200_000,
    });
  }

  /**
   * Opens the log at once and resolves when its writer thread is ready. Heads are recovered lazily from
   * room_heads on first use, so nothing is scanned. Appends made before the writer is ready queue for it
   * and reads work at once, so a server may listen while the thread starts (server.ts) and still fail its
   * start if the thread cannot open the database.
   */
  async start(): Promise<void> {
    if (this.state === "closed") throw new ParleyError("UNAVAILABLE", "log is closed");
    if (this.state === "new") {
      this.state = "open";
      this.writerReady = this.writer.open();
    }
    try {
      await this.writerReady;
    } catch (err) {
      throw new ParleyError("UNAVAILABLE", "log writer failed to start", { cause: err });
    }
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
    return this.listeners.add(listener);
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
    const known = this.guard(() => this.committedHead(room));
    if (known) return known;
    if (this.state === "closed") throw new ParleyError("SHUTTING_DOWN", "log is closed");
    // The epoch is written by the writer thread with the next batch; queued like an append, the answer
    // is the head before any append made after this call (a `sub` then `pub` must see the pub as new).
    return new Promise((resolve, reject) => {
      this.queue.push({ room, resolve, reject });
      this.schedule();
    });
  }

  /** Has the writer thread index every chat message committed so far (search-index.ts); for searches. */
  async catchUpSearch(): Promise<void> {
    if (this.state === "closed") throw new ParleyError("SHUTTING_DOWN", "log is closed");
    try {
      await this.writer.catchUpSearch();
    } catch (err) {
      throw new ParleyError("UNAVAILABLE", "log: search index catch-up failed", { cause: err });
    }
  }

  /** Stops accepting appends, commits everything queued, then stops the writer thread. */
  async close(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    this.clearTimer();
    while (this.inFlight || this.hasWork()) {
      if (!this.inFlight) this.send();
      await this.inFlight;
    }
    await this.writer.close();
  }

  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw err instanceof ParleyError ? err : new ParleyError("UNAVAILABLE", "log: SQLite failed", { cause: err });
    }
  }

  /** The committed head of a room, from memory or the database; undefined for a room never seen. */
  private committedHead(room: string): RoomState | undefined {
    const cached = this.heads.get(room);
    if (cached) return cached;
    const stored = this.events.head(room);
    if (!stored) return undefined;
    // room_heads keeps the epoch; the last seq is the events' own (older versions also wrote it there).
    const head = { epoch: stored.epoch, lastSeq: Math.max(stored.lastSeq, this.events.maxSeq(room)) };
    this.heads.set(room, head);
    if (head.lastSeq === 0) this.cmids.markEmpty(room);
    return head;
  }

  private hasWork(): boolean {
    return this.queue.length > 0;
  }

  private schedule(): void {
    // The batch in flight sends the next one when it has committed (pipeline depth 1).
    if (this.inFlight) return;
    if (this.queue.length >= this.options.commitMaxBatch) {
      // A full batch goes now, but after the caller's synchronous code, so listeners never run inside append().
      this.clearTimer();
      this.timer = setImmediate(() => this.onTimer());
      return;
    }
    if (this.timer) return;
    this.startTimer(this.flush === "interval" ? this.options.commitIntervalMs : this.spacingLeft());
  }

  private startTimer(ms: number): void {
    this.timer = ms > 0 ? setTimeout(() => this.onTimer(), ms) : setImmediate(() => this.onTimer());
  }

  /** `spaced`: how long until the next commit may start (0 in the other modes). */
  private spacingLeft(): number {
    if (this.flush !== "spaced") return 0;
    return Math.max(0, this.lastSendAt + this.options.commitIntervalMs - performance.now());
  }

  private clearTimer(): void {
    if (!this.timer) return;
    clearTimeout(this.timer as NodeJS.Timeout);
    clearImmediate(this.timer as NodeJS.Immediate);
    this.timer = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (!this.inFlight && this.hasWork()) this.send();
  }

  /** Takes the next batch off the queue and commits it; when done, what queued meanwhile goes next. */
  private send(): void {
    const batch = this.queue.splice(0, this.options.commitMaxBatch);
    const sentAt = performance.now();
    latencyTrace?.add("emb.batch", batch.length);
    latencyTrace?.add("emb.spacing", sentAt - this.lastSendAt);
    this.lastSendAt = sentAt;
    this.inFlight = this.commitBatch(batch).finally(() => {
      latencyTrace?.add("emb.cycle", performance.now() - sentAt);
      this.inFlight = undefined;
      // Not at once: appends made by the callbacks of the batch just settled join the next batch.
      if (this.hasWork() && this.state !== "closed") {
        this.clearTimer();
        this.startTimer(this.queue.length >= this.options.commitMaxBatch ? 0 : this.spacingLeft());
      }
    });
  }

  /** Sequences one batch, has it committed, then settles it. Nothing in memory changes before COMMIT. */
  private async commitBatch(batch: Queued[]): Promise<void> {
    const now = this.now();
    let plan: Plan;
    try {
      plan = this.plan(batch, now);
      const committing = performance.now();
      await this.writer.commit(plan.write);
      latencyTrace?.add("emb.commit", performance.now() - committing);
    } catch (err) {
      const error = new ParleyError("UNAVAILABLE", "commit failed", { cause: err });
      for (const q of batch) q.reject(error);
      return;
    }
    this.afterCommit(plan, now);
    batch.forEach((q, i) => {
      const outcome = plan.outcomes[i] as SequenceDecision | RoomState;
      if (!isAppend(q)) return (q as HeadRequest).resolve(outcome as RoomState);
      const d = outcome as SequenceDecision;
      const result = d.type === "append" ? { event: d.event, duplicate: false } : duplicateOutcome(q.command, d.event);
      if (result instanceof ParleyError) q.reject(result);
      else q.resolve(result);
    });
  }

  /** Sequences the batch against committed state (reads only) and builds what the writer stores. */
  private plan(batch: Queued[], now: number): Plan {
    // Rooms this batch creates, by a head request or an append: each epoch is written once, with the batch.
    const created = new Map<string, RoomState>();
    const create = (room: string) => {
      const state = this.freshRoom(room);
      created.set(room, state);
      return state;
    };
    for (const q of batch) {
      if (isAppend(q) || created.has(q.room) || this.committedHead(q.room)) continue;
      create(q.room);
    }
    const seq = new SequencerBatch(
      (room) => this.committedHead(room) ?? created.get(room) ?? create(room),
      (room, cmid) => (this.cmids.find(room, cmid, now) === "new" ? undefined : this.events.findByCmid(room, cmid)),
      this.newId,
    );
    const outcomes = batch.map((q) =>
      isAppend(q)
        ? seq.decide(q.command, now)
        : (seq.touched().get(q.room) ?? this.committedHead(q.room) ?? (created.get(q.room) as RoomState)),
    );
    const write = {
      createHeads: [...created].map(([room, s]) => [room, s.epoch] as const),
      events: seq.appended.map(eventValues),
      projection: projectEvents(seq.appended),
    };
    return { seq, outcomes, created, write };
  }

  /** A room with no stored head: a new epoch, and no events for the dedupe lookup to miss. */
  private freshRoom(room: string): RoomState {
    this.cmids.markEmpty(room);
    return { epoch: newEpoch(), lastSeq: 0 };
  }

  private afterCommit({ seq, created }: Plan, now: number): void {
    for (const [room, state] of created) this.heads.set(room, state);
    for (const [room, state] of seq.touched()) this.heads.set(room, state);
    for (const e of seq.appended) this.cmids.add(e.room, e.cmid, now);
    this.listeners.emit(seq.appended);
  }
}
