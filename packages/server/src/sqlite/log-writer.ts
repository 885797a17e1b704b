/**
 * Main-thread handle of the writer thread (commit-worker.ts): one batch in
 * flight at a time, resolved after its COMMIT. A worker that dies fails the
 * batch in flight; the next batch starts a new worker.
 */
import { Worker } from "node:worker_threads";
import type { EventValues } from "./events.js";
import type { Projection } from "../chat/projection.js";

/** What the worker needs to open its own connection. */
export interface WriterConfig {
  readonly file: string;
  /** `PRAGMA synchronous` of the main connection (2 FULL, 1 NORMAL). */
  readonly synchronous: number;
  readonly busyTimeoutMs?: number;
}

/** Everything one transaction writes; already sequenced. */
export interface WriteBatch {
  readonly id: number;
  /** Rooms whose epoch is recorded for the first time: [room, epoch]. */
  readonly createHeads: readonly (readonly [string, string])[];
  readonly events: readonly EventValues[];
  /** What the events change in the chat projection tables, applied in the same transaction. */
  readonly projection: Projection;
}

/** The id of the worker's answer to an `"index"` request (the search index caught up, search-index.ts). */
export const INDEXED_REPLY = -1;

/** The worker's answer to one batch; `error` when the transaction rolled back. */
export interface CommitReply {
  readonly id: number;
  readonly error?: string;
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: Error) => void;
}

interface InFlight extends Waiter {
  readonly id: number;
}

/** Commits batches on a worker thread, one at a time. */
export class LogWriter {
  private worker: Worker | undefined;
  private inFlight: InFlight | undefined;
  /** Searches waiting for the index to catch up, in the order their requests were posted. */
  private readonly indexing: Waiter[] = [];
  private nextId = 1;
  /** Settles when the current worker has opened its connection (its reply with id 0). */
  private ready: Promise<void> | undefined;
  private onReady: ((error?: string) => void) | undefined;

  constructor(private readonly config: WriterConfig) {}

  /** Starts the thread and waits until its connection is open, so the first commit does not pay for that. */
  async open(): Promise<void> {
    const worker = this.ensureWorker();
    // Referenced while waiting, or a process with nothing else to do would exit before the thread is ready.
    worker.ref();
    try {
      await this.ready;
    } finally {
      this.unrefIfIdle();
    }
  }

  /** Commits one batch; rejects with the database's error when it rolled back. Never call with one in flight. */
  commit(batch: Omit<WriteBatch, "id">): Promise<void> {
    if (this.inFlight) return Promise.reject(new Error("a commit is already in flight"));
    const worker = this.ensureWorker();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight = { id, resolve, reject };
      // Keep the process alive only while a commit is pending, not for an idle log.
      worker.ref();
      worker.postMessage({ ...batch, id } satisfies WriteBatch);
    });
  }

  /**
   * Has the thread index every chat message still pending (search-index.ts), between two commits; resolves
   * once it has, so a search after it sees every message acked before the call.
   */
  catchUpSearch(): Promise<void> {
    const worker = this.ensureWorker();
    return new Promise((resolve, reject) => {
      this.indexing.push({ resolve, reject });
      worker.ref();
      worker.postMessage("index");
    });
  }

  /** Closes the worker's connection and waits for the thread to exit. Call with nothing in flight. */
  async close(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    this.worker = undefined;
    const exited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
    worker.ref();
    worker.postMessage("close");
    await exited;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL("./commit-worker.js", import.meta.url), { workerData: this.config });
    worker.unref();
    this.ready = new Promise((resolve, reject) => {
      this.onReady = (error) => (error === undefined ? resolve() : reject(new Error(error)));
    });
    // Nobody may wait for it (a commit before open()); its failure then shows in that commit.
    this.ready.catch(() => {});
    worker.on("message", (reply: CommitReply) => this.settle(reply));
    worker.on("error", (err) => this.fail(worker, err));
    worker.on("exit", (code) => this.fail(worker, new Error(`log writer thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: CommitReply): void {
    if (reply.id === 0) return this.onReady?.(reply.error);
    let pending: Waiter | undefined;
    if (reply.id === INDEXED_REPLY) pending = this.indexing.shift();
    else if (this.inFlight?.id === reply.id) {
      pending = this.inFlight;
      this.inFlight = undefined;
    }
    if (!pending) return;
    this.unrefIfIdle();
    if (reply.error === undefined) pending.resolve();
    else pending.reject(new Error(reply.error));
  }

  /** Keeps the process alive only while a commit or a catch-up is pending, not for an idle log. */
  private unrefIfIdle(): void {
    if (!this.inFlight && this.indexing.length === 0) this.worker?.unref();
  }

  private fail(worker: Worker, err: Error): void {
    if (this.worker === worker) {
      this.worker = undefined;
      this.onReady?.(err.message);
    }
    for (const waiter of this.indexing.splice(0)) waiter.reject(err);
    const pending = this.inFlight;
    if (!pending) return;
    this.inFlight = undefined;
    pending.reject(err);
  }
}
