import { ParleyError, type ClientFrame, type ServerFrame } from "@parley/protocol";

/** A request frame: one that carries an `id` and expects a reply. */
export type RequestFrame = Extract<ClientFrame, { id: number }>;

/** A request awaiting its reply. */
export interface PendingRequest {
  readonly frame: RequestFrame;
  /**
   * True when sending it again on a new connection is harmless (reads). Such
   * requests survive a reconnect; the others fail fast when the link drops.
   */
  readonly retrySafe: boolean;
  /** Called synchronously with the reply, so frames after it are handled in wire order. */
  onReply(frame: ServerFrame): void;
  /** Called when the request will get no reply. */
  onFail(error: Error): void;
}

/** The error in-flight requests fail with when the connection drops. */
export function disconnectedError(): ParleyError {
  return new ParleyError("UNAVAILABLE", "The connection closed before the server replied.");
}

/**
 * Request ids and the table of pending requests. Ids come from one counter for
 * the client's lifetime, so they are unique on every connection and a reply
 * can never be matched to a request from another session.
 */
export class RequestManager {
  #nextId = 1;
  readonly #pending = new Map<number, PendingRequest>();

  /** A fresh request id. */
  nextId(): number {
    return this.#nextId++;
  }

  /** Registers a request (its frame already carries an id from `nextId`). */
  add(request: PendingRequest): void {
    this.#pending.set(request.frame.id, request);
  }

  /** Forgets a request without calling it back (e.g. its own timeout fired). */
  remove(id: number): void {
    this.#pending.delete(id);
  }

  /** Routes a reply to its request; false when the id is unknown (not a reply, or a late one). */
  resolve(frame: ServerFrame): boolean {
    // Event frames carry a string event id, not a request id.
    const id = frame.t !== "event" && "id" in frame ? frame.id : undefined;
    if (typeof id !== "number") return false;
    const request = this.#pending.get(id);
    if (!request) return false;
    this.#pending.delete(id);
    request.onReply(frame);
    return true;
  }

  /** The link dropped: fail the one-shot requests and return the retry-safe ones, oldest first. */
  onDisconnect(): PendingRequest[] {
    const kept: PendingRequest[] = [];
    for (const [id, request] of [...this.#pending]) {
      if (request.retrySafe) {
        kept.push(request);
        continue;
      }
      this.#pending.delete(id);
      request.onFail(disconnectedError());
    }
    return kept;
  }

  /** The retry-safe requests still waiting, oldest first, to resend on a new connection. */
  retrySafe(): PendingRequest[] {
    return [...this.#pending.values()].filter((r) => r.retrySafe);
  }

  /** Fails every request, retry-safe or not (the app called `disconnect()`). */
  failAll(error: Error): void {
    const all = [...this.#pending.values()];
    this.#pending.clear();
    for (const request of all) request.onFail(error);
  }

  /** Number of requests awaiting a reply. */
  get size(): number {
    return this.#pending.size;
  }
}
