import {
  ParleyError,
  type ClientFrame,
  type EventKind,
  type Json,
  type PresenceMember,
  type RoomEvent,
  type ServerFrame,
} from "@parley/protocol";
import { ReadMarker } from "./chat/read-marker.js";
import { Emitter, type Listener } from "./events.js";
import type { PublishAck } from "./outbox.js";
import type { RequestFrame } from "./request-manager.js";
import { SubscriptionTracker, type SubscribedInfo, type SubscriptionState } from "./subscription.js";
import type { Timers } from "./timers.js";

/** A request frame before the client assigns its id. */
export type RequestBody = RequestFrame extends infer F ? (F extends unknown ? Omit<F, "id"> : never) : never;

/** What a room needs from its client. */
export interface RoomContext {
  readonly connected: boolean;
  /** The session's user, once connected (to recognise own receipts from other devices). */
  readonly user: string | undefined;
  readonly timers: Timers;
  /** Sends a frame that expects no reply; false when not connected. */
  send(frame: ClientFrame): boolean;
  /** Sends a request whose reply is handled synchronously; false when not connected (nothing is kept). */
  track(body: RequestBody, onReply: (frame: ServerFrame) => void): boolean;
  /** Sends a request and resolves with its reply (rejects on an `error` reply). */
  call(body: RequestBody, retrySafe: boolean): Promise<ServerFrame>;
  publish(room: string, body: Json, kind?: EventKind): Promise<PublishAck>;
  /** Schedules a retry after the client's backoff for `attempt`; returns a cancel function. */
  retryLater(attempt: number, fn: () => void): () => void;
  /** Reports an event delivered to the app, for the client-wide `event` stream. */
  delivered(event: RoomEvent): void;
  /** A REST read below the API base (`/rooms/…`), with the client's credentials. */
  rest<T>(path: string): Promise<T>;
}

/** A page of a message's thread (`room.thread`). */
export interface ThreadPage {
  /** The replies not deleted, in all. */
  count: number;
  /** Replies after `after`, ascending; deleted ones as tombstones. */
  replies: RoomEvent[];
  hasMore: boolean;
  /**
   * The edits, deletes and reactions that target these replies (or, on the first page, the
   * parent), ascending, at most 1000: fold them with the replies for their current state.
   */
  related: RoomEvent[];
  /** More events targeted this page than `related` holds. */
  relatedHasMore: boolean;
}

/** Room events an app can listen to. */
export interface RoomEvents {
  /** A new event, in seq order, never twice. */
  event: RoomEvent;
  /** A (re)subscription completed; check `recovered` after a reconnect. */
  subscribed: SubscribedInfo;
  unsubscribed: { room: string; reason: string };
  join: { room: string; user: string };
  leave: { room: string; user: string };
  typing: { room: string; user: string };
  error: Error;
}

/** Where a room starts reading. */
export interface RoomOptions {
  /** Resume after this seq (e.g. persisted from a previous run); 0 replays the room from the start. */
  since?: number;
  /** The epoch `since` belongs to. */
  epoch?: string;
}

/** History query: `before` pages backwards from the newest, `after` forwards. */
export interface HistoryOptions {
  before?: number;
  after?: number;
  limit?: number;
}

/** One page of history, ascending by seq. */
export interface HistoryPage {
  room: string;
  epoch: string;
  events: RoomEvent[];
  hasMore: boolean;
}

/** The body of a reply: its text, or a message body with the app's own fields. */
export type ReplyBody = string | { text: string; [extra: string]: Json };

type Waiter = { resolve: (info: SubscribedInfo) => void; reject: (error: Error) => void };

/** A room handle: subscription with resume and dedupe, publishing through the outbox, history, presence. */
export class Room {
  readonly #tracker: SubscriptionTracker;
  readonly #events = new Emitter<RoomEvents>();
  #wanted = false;
  #info: SubscribedInfo | undefined;
  #waiters: Waiter[] = [];
  #attempt = 0;
  #cancelRetry: (() => void) | undefined;
  readonly #reads: ReadMarker;

  constructor(
    /** The room id. */
    readonly id: string,
    private readonly ctx: RoomContext,
    options: RoomOptions = {},
  ) {
    this.#tracker = new SubscriptionTracker(id, options.since, options.epoch);
    this.#reads = new ReadMarker({ timers: ctx.timers, send: (upTo) => this.publish({ upTo }, { kind: "receipt" }) });
  }

  /** The subscription state. */
  get state(): SubscriptionState {
    return this.#tracker.state;
  }

  /** The last seq delivered (0 before any); persist it with `epoch` to resume across restarts. */
  get lastSeq(): number {
    return this.#tracker.lastSeq ?? 0;
  }

  /** The room epoch of `lastSeq`, known after the first subscription. */
  get epoch(): string | undefined {
    return this.#tracker.epoch;
  }

  /** Listens to a room event; returns an unsubscribe function. */
  on<K extends keyof RoomEvents>(name: K, listener: Listener<RoomEvents[K]>): () => void {
    return this.#events.on(name, listener);
  }

  /** Removes a listener. */
  off<K extends keyof RoomEvents>(name: K, listener: Listener<RoomEvents[K]>): void {
    this.#events.off(name, listener);
  }

  /** Subscribes (and keeps re-subscribing after reconnects) until `unsubscribe()`. Resolves on the first `subscribed`. */
  subscribe(): Promise<SubscribedInfo> {
    if (this.#wanted && this.#tracker.state === "subscribed" && this.#info) return Promise.resolve(this.#info);
    const promise = new Promise<SubscribedInfo>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#wanted) {
      this.#wanted = true;
      this.#tracker.begin();
      if (this.ctx.connected) this.#sendSub();
    }
    return promise;
  }

  /** Stops the subscription. The position is kept, so a later `subscribe()` resumes from it. */
  async unsubscribe(): Promise<void> {
    if (!this.#wanted) return;
    this.#wanted = false;
    this.#stopRetry();
    this.#tracker.reset();
    this.#rejectWaiters(new Error(`parley: unsubscribed from ${this.id} before the subscription completed`));
    this.#events.emit("unsubscribed", { room: this.id, reason: "unsubscribe() called" });
    if (!this.ctx.connected) return;
    await this.ctx.call({ t: "unsub", room: this.id }, false).catch(() => undefined);
  }

  /** Publishes through the outbox: stored, sent, retried with the same cmid until acked. */
  publish(body: Json, options: { kind?: EventKind } = {}): Promise<PublishAck> {
    return this.ctx.publish(this.id, body, options.kind);
  }

  /** Replaces the text of own message `seq` (an `edit` event, through the outbox). */
  edit(seq: number, text: string): Promise<PublishAck> {
    return this.publish({ target: seq, text }, { kind: "edit" });
  }

  /** Deletes message `seq`: it becomes a tombstone for everyone (a `delete` event, through the outbox). */
  delete(seq: number): Promise<PublishAck> {
    return this.publish({ target: seq }, { kind: "delete" });
  }

  /** Adds this user's `emoji` to message `seq` (adding it twice is one reaction). */
  react(seq: number, emoji: string): Promise<PublishAck> {
    return this.publish({ target: seq, emoji, op: "add" }, { kind: "reaction" });
  }

  /** Removes this user's `emoji` from message `seq` (nothing when absent). */
  unreact(seq: number, emoji: string): Promise<PublishAck> {
    return this.publish({ target: seq, emoji, op: "remove" }, { kind: "reaction" });
  }

  /** Posts a message in the thread of message `seq`. */
  reply(seq: number, body: ReplyBody): Promise<PublishAck> {
    return this.publish({ ...(typeof body === "string" ? { text: body } : body), replyTo: seq });
  }

  /**
   * The user has read up to `seq`: sends a receipt through the outbox,
   * monotonic and coalesced (one in flight, at most one a second, none at or
   * below a position already read here or on another device).
   */
  markRead(seq: number): void {
    this.#reads.mark(seq);
  }

  /** The highest read position known: acked receipts, own receipts from other devices, the last `unread()`. */
  get readPosition(): number {
    return this.#reads.position;
  }

  /** @internal A read position reported by the server (the `unread` frame, the inbox). */
  knownRead(seq: number): void {
    this.#reads.known(seq);
  }

  /** Reads a page of history (waits for the connection if it is down, up to the request timeout). */
  async history(options: HistoryOptions = {}): Promise<HistoryPage> {
    const frame = await this.ctx.call({ t: "history", room: this.id, ...options }, true);
    if (frame.t !== "history") throw new Error(`parley: unexpected reply ${frame.t} to history`);
    return { room: frame.room, epoch: frame.epoch, events: frame.events, hasMore: frame.hasMore };
  }

  /** The replies to message `seq` (REST `GET …/messages/{seq}/thread`): a page after `after`, ascending. */
  thread(seq: number, options: { after?: number; limit?: number } = {}): Promise<ThreadPage> {
    const query = new URLSearchParams();
    if (options.after !== undefined) query.set("after", String(options.after));
    if (options.limit !== undefined) query.set("limit", String(options.limit));
    return this.ctx.rest<ThreadPage>(`/rooms/${encodeURIComponent(this.id)}/messages/${seq}/thread?${query}`);
  }

  /** The author's edits of message `seq`, ascending (REST `GET …/messages/{seq}/edits`). */
  async edits(seq: number): Promise<RoomEvent[]> {
    const path = `/rooms/${encodeURIComponent(this.id)}/messages/${seq}/edits`;
    return (await this.ctx.rest<{ edits: RoomEvent[] }>(path)).edits;
  }

  /** Who is in the room now. */
  async presence(): Promise<PresenceMember[]> {
    const frame = await this.ctx.call({ t: "presence", room: this.id }, true);
    if (frame.t !== "presence") throw new Error(`parley: unexpected reply ${frame.t} to presence`);
    return frame.members;
  }

  /** Tells the room this user is typing. Ephemeral: dropped (returns false) while disconnected. */
  typing(): boolean {
    return this.ctx.send({ t: "typing", room: this.id });
  }

  /** @internal Routes a room frame from the client. */
  handleFrame(frame: ServerFrame): void {
    if (frame.t === "event") this.#onEvent(frame);
    else if (frame.t === "join" || frame.t === "leave" || frame.t === "typing") {
      this.#events.emit(frame.t, { room: frame.room, user: frame.user });
    } else if (frame.t === "unsubscribed" && this.#wanted) {
      // The server ended the subscription (the user lost access): as a refused `sub`, no retry.
      const code = frame.code ?? "FORBIDDEN";
      this.#refused(new ParleyError(code, `the server ended the subscription to ${this.id} (${code})`));
    }
  }

  /** @internal A session began: re-subscribe from our position. */
  onConnected(): void {
    if (this.#wanted) this.#sendSub();
  }

  /** @internal The session ended: in-flight subscription requests are gone. */
  onDisconnected(): void {
    this.#stopRetry();
    if (this.#wanted) this.#tracker.begin();
  }

  /** @internal The client stopped (disconnect() or a terminal close): pending subscribe() calls fail. */
  onStopped(error: Error): void {
    this.#rejectWaiters(error);
  }

  #onEvent(event: RoomEvent): void {
    const verdict = this.#tracker.classify(event);
    if (verdict === "deliver") {
      if (event.kind === "receipt" && event.from === this.ctx.user) this.#ownReceipt(event.body);
      this.#events.emit("event", event);
      this.ctx.delivered(event);
    } else if (verdict === "gap" && this.#tracker.state === "subscribed") {
      this.#resync();
    }
  }

  #ownReceipt(body: Json): void {
    const upTo = (body as { upTo?: unknown } | null)?.upTo;
    if (typeof upTo === "number") this.#reads.known(upTo);
  }

  /** A gap: ask the server again from our position (unsub, then sub with since=lastSeq). */
  #resync(): void {
    this.ctx.track({ t: "unsub", room: this.id }, () => undefined);
    this.#sendSub();
  }

  #sendSub(): void {
    const position = this.#tracker.begin();
    this.ctx.track({ t: "sub", room: this.id, ...position }, (frame) => this.#onSubReply(frame));
  }

  #onSubReply(frame: ServerFrame): void {
    if (!this.#wanted) return;
    if (frame.t === "subscribed") {
      this.#attempt = 0;
      this.#info = this.#tracker.onSubscribed(frame);
      const waiters = this.#waiters;
      this.#waiters = [];
      this.#events.emit("subscribed", this.#info);
      for (const waiter of waiters) waiter.resolve(this.#info);
    } else if (frame.t === "error" && frame.retryable) {
      this.#cancelRetry = this.ctx.retryLater(this.#attempt++, () => this.#sendSub());
    } else if (frame.t === "error") {
      this.#refused(new ParleyError(frame.code, frame.message));
    }
  }

  #refused(error: ParleyError): void {
    this.#wanted = false;
    this.#tracker.reset();
    this.#rejectWaiters(error);
    this.#events.emit("unsubscribed", { room: this.id, reason: error.code });
    if (this.#events.listenerCount("error") > 0) this.#events.emit("error", error);
  }

  #rejectWaiters(error: Error): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(error);
  }

  #stopRetry(): void {
    this.#cancelRetry?.();
    this.#cancelRetry = undefined;
  }
}
