import {
  ParleyError,
  type ClientFrame,
  type ConnectedFrame,
  type EventKind,
  type Json,
  type RoomEvent,
  type SearchHit,
  type ServerFrame,
  type UnreadRoom,
} from "@parley/protocol";
import { backoffDelay } from "./backoff.js";
import { Connection } from "./connection.js";
import type { ConnectionState, StateChange } from "./connection-state.js";
import { DisconnectedError } from "./errors.js";
import { Emitter, type Listener } from "./events.js";
import { Inbox } from "./inbox.js";
import { Outbox, type OutboxSettlement, type PublishAck } from "./outbox.js";
import { resolveOptions, type ParleyClientOptions, type ResolvedOptions } from "./options.js";
import { disconnectedError, RequestManager, type RequestFrame } from "./request-manager.js";
import { restGet } from "./rest.js";
import { Room, type RequestBody, type RoomContext, type RoomOptions } from "./room.js";
import type { TransportKind } from "./transport.js";

/** Options of `search`. */
export interface SearchOptions {
  /** Only this room. */
  room?: string;
  /** At most this many hits (the server caps it). */
  limit?: number;
}

/** Client-wide events. */
export interface ClientEvents {
  /** Every connection state change: `{ oldState, newState, reason }`. */
  state: StateChange;
  /** A session began (also after every reconnect). */
  connected: ConnectedFrame;
  /** A session ended; the client reconnects unless the close was terminal or asked for. */
  disconnected: { code: number; reason: string };
  /** Every room event delivered to any room, in order per room, never twice. */
  event: RoomEvent;
  /** A message left the outbox acked, including messages restored from storage after a reload. */
  ack: PublishAck;
  /** A message left the outbox refused (non-retryable error). */
  rejected: { room: string; cmid: string; error: Error };
  /** Connection, protocol and storage errors that are not an answer to a call. */
  error: Error;
}

/** The Parley client: one connection, many rooms, one outbox. */
export class ParleyClient {
  readonly #options: ResolvedOptions;
  readonly #events = new Emitter<ClientEvents>();
  readonly #connection: Connection;
  readonly #requests = new RequestManager();
  readonly #outbox: Outbox;
  readonly #rooms = new Map<string, Room>();
  readonly #roomContext: RoomContext;
  #inbox: Inbox | undefined;

  constructor(options: ParleyClientOptions) {
    this.#options = resolveOptions(options);
    this.#connection = new Connection(this.#options);
    this.#outbox = new Outbox({
      storage: this.#options.outbox,
      sender: { send: (entry, onReply, onFail) => this.#sendPub(entry, onReply, onFail) },
      timers: this.#options.timers,
      backoff: this.#options.backoff,
      random: this.#options.random,
      newId: this.#options.newId,
      onSettled: (settlement) => this.#onSettled(settlement),
      onError: (error) => this.#emitError(error),
    });
    this.#roomContext = this.#makeRoomContext();
    this.#wireConnection();
  }

  /** The connection state. */
  get state(): ConnectionState {
    return this.#connection.state;
  }

  /** The current session (user, limits, heartbeat), while connected. */
  get session(): ConnectedFrame | undefined {
    return this.#connection.session;
  }

  /** The transport of the current session (`"websocket"` or `"sse"`), while connected. */
  get transport(): TransportKind | undefined {
    return this.#connection.transport;
  }

  /** Number of published messages not yet acked. */
  get pendingMessages(): number {
    return this.#outbox.size;
  }

  /** Resolves once the outbox has loaded persisted messages (useful before reading `pendingMessages`). */
  get outboxReady(): Promise<void> {
    return this.#outbox.ready;
  }

  /** Listens to a client event; returns an unsubscribe function. */
  on<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): () => void {
    return this.#events.on(name, listener);
  }

  /** Removes a listener. */
  off<K extends keyof ClientEvents>(name: K, listener: Listener<ClientEvents[K]>): void {
    this.#events.off(name, listener);
  }

  /**
   * Connects and keeps the connection up (reconnecting with backoff) until
   * `disconnect()` or a terminal close. Resolves on the first `connected`.
   */
  connect(): Promise<ConnectedFrame> {
    const session = this.#connection.session;
    if (session) return Promise.resolve(session);
    const promise = new Promise<ConnectedFrame>((resolve, reject) => {
      const offConnected = this.#events.on("connected", (frame) => {
        offState();
        resolve(frame);
      });
      const offState = this.#events.on("state", ({ newState, reason }) => {
        if (newState !== "closed" && newState !== "disconnected") return;
        offConnected();
        offState();
        reject(new DisconnectedError(`parley: connect failed: ${reason}`));
      });
    });
    this.#connection.connect();
    return promise;
  }

  /** Closes the connection and stops reconnecting. Unacked messages stay in the outbox. */
  disconnect(): void {
    this.#connection.disconnect();
    this.#stopped(new DisconnectedError());
  }

  /** The handle of room `id` (one per id; options apply on first call only). */
  room(id: string, options?: RoomOptions): Room {
    let room = this.#rooms.get(id);
    if (!room) this.#rooms.set(id, (room = new Room(id, this.#roomContext, options)));
    return room;
  }

  /**
   * The per-user channel: the user's rooms with unread and mention counts, pushed by the server
   * (docs/protocol.md, "Inbox"). Call `open()` once; it follows reconnects by itself.
   */
  get inbox(): Inbox {
    const connection = this.#connection;
    this.#inbox ??= new Inbox({
      get connected() {
        return connection.state === "connected";
      },
      request: () => this.#call({ t: "inbox" }, false),
      knownRead: (room, seq) => this.#rooms.get(room)?.knownRead(seq),
    });
    return this.#inbox;
  }

  /**
   * The user's read position, unread and mention counts in every room they
   * belong to, exact from the server (waits for the connection, up to the
   * request timeout). Also tells the rooms their read positions, so
   * `markRead` never sends a receipt for what was read on another device.
   */
  async unread(): Promise<UnreadRoom[]> {
    const frame = await this.#call({ t: "unread" }, true);
    if (frame.t !== "unread") throw new Error(`parley: unexpected reply ${frame.t} to unread`);
    for (const r of frame.rooms) this.#rooms.get(r.room)?.knownRead(r.lastRead);
    return frame.rooms;
  }

  /** Full-text search over the chat messages of the rooms this user may read, newest first. */
  async search(q: string, options: SearchOptions = {}): Promise<SearchHit[]> {
    const body: RequestBody = { t: "search", q };
    if (options.room !== undefined) body.room = options.room;
    if (options.limit !== undefined) body.limit = options.limit;
    const frame = await this.#call(body, true);
    if (frame.t !== "search") throw new Error(`parley: unexpected reply ${frame.t} to search`);
    return frame.hits;
  }

  #wireConnection(): void {
    const events = this.#connection.events;
    events.on("state", (change) => {
      this.#events.emit("state", change);
      if (change.newState === "closed") this.#stopped(new DisconnectedError(`parley: ${change.reason}`));
    });
    events.on("connected", (frame) => this.#onConnected(frame));
    events.on("disconnected", (info) => this.#onDisconnected(info));
    events.on("frame", (frame) => this.#onFrame(frame));
    events.on("error", (error) => this.#emitError(error));
  }

  /** Order matters: subscriptions first so replays start early, then the outbox, then waiting reads. */
  #onConnected(frame: ConnectedFrame): void {
    for (const room of this.#rooms.values()) room.onConnected();
    this.#outbox.onConnected(frame.limits);
    for (const request of this.#requests.retrySafe()) this.#connection.send(request.frame);
    this.#inbox?.onConnected();
    this.#events.emit("connected", frame);
  }

  #onDisconnected(info: { code: number; reason: string }): void {
    this.#outbox.onDisconnected();
    this.#requests.onDisconnect();
    for (const room of this.#rooms.values()) room.onDisconnected();
    this.#events.emit("disconnected", info);
  }

  /** The client will not reconnect by itself: fail everything that waits for a connection. */
  #stopped(error: Error): void {
    this.#requests.failAll(error);
    for (const room of this.#rooms.values()) room.onStopped(error);
  }

  #onFrame(frame: ServerFrame): void {
    if (this.#requests.resolve(frame)) return;
    switch (frame.t) {
      case "event":
      case "join":
      case "leave":
      case "typing":
      case "unsubscribed": // without an id: the server ended the subscription
        this.#rooms.get(frame.room)?.handleFrame(frame);
        return;
      case "inbox.room":
      case "inbox.gone":
        this.#inbox?.handleFrame(frame);
        return;
      case "inbox": // a fresh snapshot the server sent after losing track (docs/protocol.md, "Inbox")
        this.#inbox?.handleSnapshot(frame.rooms);
        return;
      case "error":
        this.#emitError(new ParleyError(frame.code, frame.message));
        return;
      default:
      // A late reply to a request that already failed or timed out: nothing waits for it.
    }
  }

  #onSettled(settlement: OutboxSettlement): void {
    if ("ack" in settlement) this.#events.emit("ack", settlement.ack);
    else
      this.#events.emit("rejected", {
        room: settlement.entry.room,
        cmid: settlement.entry.cmid,
        error: settlement.error,
      });
  }

  #emitError(error: Error): void {
    // Like a DOM EventTarget, not like Node's EventEmitter: an unheard error must not crash the app.
    if (this.#events.listenerCount("error") > 0) this.#events.emit("error", error);
  }

  #makeRoomContext(): RoomContext {
    const connection = this.#connection;
    return {
      get connected() {
        return connection.state === "connected";
      },
      get user() {
        return connection.session?.user;
      },
      timers: this.#options.timers,
      send: (frame: ClientFrame) => connection.send(frame),
      track: (body, onReply) => this.#track(body, onReply, () => undefined),
      call: (body, retrySafe) => this.#call(body, retrySafe),
      publish: (room: string, body: Json, kind?: EventKind) => this.#outbox.publish(room, body, kind),
      retryLater: (attempt, fn) => {
        const timers = this.#options.timers;
        const handle = timers.setTimeout(fn, backoffDelay(attempt, this.#options.backoff, this.#options.random));
        return () => timers.clearTimeout(handle);
      },
      delivered: (event) => this.#events.emit("event", event),
      rest: <T>(path: string) =>
        restGet<T>(
          {
            fetch: this.#options.fetch,
            url: this.#options.url,
            user: this.#options.user,
            credentials: () => connection.credentials(),
          },
          path,
        ),
    };
  }

  /** Sends a request on the live session; false (and nothing kept) when not connected. */
  #track(body: RequestBody, onReply: (frame: ServerFrame) => void, onFail: (error: Error) => void): boolean {
    const frame = { ...body, id: this.#requests.nextId() } as RequestFrame;
    if (!this.#connection.send(frame)) return false;
    this.#requests.add({ frame, retrySafe: false, onReply, onFail });
    return true;
  }

  #sendPub(
    entry: { room: string; cmid: string; body: Json; kind?: EventKind },
    onReply: (frame: ServerFrame) => void,
    onFail: (error: Error) => void,
  ): boolean {
    const body: RequestBody = { t: "pub", room: entry.room, cmid: entry.cmid, body: entry.body };
    if (entry.kind !== undefined) body.kind = entry.kind;
    return this.#track(body, onReply, onFail);
  }

  /** A one-shot request. Retry-safe ones wait for (and survive) reconnects, up to the request timeout. */
  #call(body: RequestBody, retrySafe: boolean): Promise<ServerFrame> {
    return new Promise((resolve, reject) => {
      if (!retrySafe && this.#connection.state !== "connected") return reject(disconnectedError());
      const frame = { ...body, id: this.#requests.nextId() } as RequestFrame;
      const { timers, requestTimeoutMs } = this.#options;
      const timer = timers.setTimeout(() => {
        this.#requests.remove(frame.id);
        reject(new ParleyError("UNAVAILABLE", `parley: no reply to ${frame.t} within ${requestTimeoutMs} ms`));
      }, requestTimeoutMs);
      const settle = (fn: () => void) => {
        timers.clearTimeout(timer);
        fn();
      };
      this.#requests.add({
        frame,
        retrySafe,
        onReply: (reply) =>
          settle(() => (reply.t === "error" ? reject(new ParleyError(reply.code, reply.message)) : resolve(reply))),
        onFail: (error) => settle(() => reject(error)),
      });
      this.#connection.send(frame);
    });
  }
}
