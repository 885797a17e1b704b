/**
 * The per-user channel (docs/protocol.md, "Inbox"): the user's rooms with their unread and mention
 * counts, kept current by the server's pushes, across hundreds of rooms without subscribing to any.
 * Opened once, it is re-opened after every reconnect and replaced by the fresh snapshot (the
 * protocol has no inbox resume: a snapshot is simple and exact).
 */
import type { InboxChange, InboxRoom, InboxGoneFrame, InboxRoomFrame, ServerFrame } from "@parley/protocol";
import { Emitter, type Listener } from "./events.js";

/** What changed in the inbox. */
export type InboxUpdate =
  | { readonly type: "snapshot"; readonly rooms: readonly InboxRoom[] }
  | { readonly type: "room"; readonly change: InboxChange; readonly seq: number; readonly room: InboxRoom }
  | {
      readonly type: "gone";
      readonly change: "left" | "removed" | "deleted";
      readonly seq: number;
      readonly room: string;
    };

/** Events of `client.inbox`. */
export interface InboxEvents {
  /** Every change, after `rooms` holds it: a snapshot (on open and every reconnect), a room in or changed, a room gone. */
  update: InboxUpdate;
  /** The snapshot could not be read (the inbox asks again on the next reconnect, or on `refresh`). */
  error: Error;
}

/** What the inbox needs of its client. */
export interface InboxContext {
  readonly connected: boolean;
  /** Sends `{"t":"inbox"}` and resolves with the reply (rejects on an error frame or a disconnect). */
  request(): Promise<ServerFrame>;
  /** Tells the room handle its read position (so `markRead` sends no receipt for what another device read). */
  knownRead(room: string, lastReadSeq: number): void;
}

/** The user's rooms, kept by the server's pushes (`client.inbox`). */
export class Inbox {
  readonly #events = new Emitter<InboxEvents>();
  #rooms: ReadonlyMap<string, InboxRoom> = new Map();
  #open = false;
  #ready = false;
  /** Bumped by each snapshot request, so an older one's late answer is dropped. */
  #asked = 0;
  /** A snapshot request is in flight (its answer will replace the list). */
  #asking = false;

  constructor(private readonly ctx: InboxContext) {}

  /** The rooms by id (a new map after every change, so it can be compared by identity). */
  get rooms(): ReadonlyMap<string, InboxRoom> {
    return this.#rooms;
  }

  /** True once a snapshot arrived. */
  get ready(): boolean {
    return this.#ready;
  }

  /** Starts following the user's rooms (now if connected, else on connect); idempotent. */
  open(): void {
    if (this.#open) return;
    this.#open = true;
    if (this.ctx.connected) this.refresh();
  }

  /** Asks for a fresh snapshot (the server keeps one inbox per connection: this replaces it). */
  refresh(): void {
    if (!this.#open || !this.ctx.connected) return;
    const asked = ++this.#asked;
    this.#asking = true;
    this.ctx.request().then(
      (frame) => {
        if (asked !== this.#asked || frame.t !== "inbox") return;
        this.#asking = false;
        this.#replace(frame.rooms);
      },
      (err: unknown) => {
        if (asked !== this.#asked) return;
        this.#asking = false;
        if (this.#events.listenerCount("error") > 0) this.#events.emit("error", err as Error);
      },
    );
  }

  /**
   * Called by the client for an `inbox` frame no request waits for: the server sends a fresh snapshot
   * when it lost track of the counts (a store read failed). One asked for meanwhile will replace it.
   */
  handleSnapshot(rooms: readonly InboxRoom[]): void {
    if (this.#open && !this.#asking) this.#replace(rooms);
  }

  /** Listens to inbox events; returns an unsubscribe function. */
  on<K extends keyof InboxEvents>(name: K, listener: Listener<InboxEvents[K]>): () => void {
    return this.#events.on(name, listener);
  }

  /** Called by the client on every (re)connect. */
  onConnected(): void {
    this.refresh();
  }

  #replace(rooms: readonly InboxRoom[]): void {
    this.#rooms = new Map(rooms.map((r) => [r.id, r]));
    this.#ready = true;
    for (const r of rooms) this.ctx.knownRead(r.id, r.lastReadSeq);
    this.#events.emit("update", { type: "snapshot", rooms });
  }

  /** Called by the client for `inbox.room` and `inbox.gone` frames. */
  handleFrame(frame: InboxRoomFrame | InboxGoneFrame): void {
    if (!this.#open) return;
    const next = new Map(this.#rooms);
    if (frame.t === "inbox.room") {
      next.set(frame.room.id, frame.room);
      this.#rooms = next;
      this.ctx.knownRead(frame.room.id, frame.room.lastReadSeq);
      this.#events.emit("update", { type: "room", change: frame.change, seq: frame.seq, room: frame.room });
      return;
    }
    if (!next.delete(frame.room)) return;
    this.#rooms = next;
    this.#events.emit("update", { type: "gone", change: frame.change, seq: frame.seq, room: frame.room });
  }
}
