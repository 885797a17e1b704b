// An in-process Parley server that speaks just enough protocol for client tests,
// with knobs to misbehave: drop connections, inject frames, withhold acks, go silent.
import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { WebSocketServer, type WebSocket } from "ws";
import type { ClientFrame, InboxRoom, Json, RoomEvent, ServerFrame } from "@parley/protocol";

interface FakeRoom {
  epoch: string;
  events: RoomEvent[];
  byCmid: Map<string, RoomEvent>;
}

/** One client connection as the fake server sees it. */
export interface FakeConnection {
  ws: WebSocket;
  user?: string;
  token?: string;
  subs: Set<string>;
  ping?: NodeJS.Timeout;
}

export interface FakeServerOptions {
  /** Advertised in `connected`; the server pings at this interval unless `ping` is false. */
  heartbeatMs?: number;
  ping?: boolean;
}

/** A received client frame and the index of the connection it came on (1-based, in accept order). */
export interface Received {
  conn: number;
  frame: ClientFrame;
}

export class FakeServer {
  readonly received: Received[] = [];
  readonly connections = new Set<FakeConnection>();
  readonly rooms = new Map<string, FakeRoom>();
  /** Number of sockets accepted so far. */
  accepted = 0;
  /** Store publishes but send no ack (simulates an ack lost with the connection). */
  refuseAcks = false;
  /** Answer nothing and stop pinging (simulates a dead link that TCP has not noticed). */
  silent = false;
  /** The snapshot every `inbox` request is answered with. */
  inboxRooms: InboxRoom[] = [];
  /** Close each new connection with this code after its `connect` frame. */
  rejectWith: { code: number; reason: string } | undefined;
  private constructor(
    private readonly wss: WebSocketServer,
    private readonly options: FakeServerOptions,
  ) {}

  static async start(options: FakeServerOptions = {}): Promise<FakeServer> {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    await once(wss, "listening");
    const server = new FakeServer(wss, options);
    wss.on("connection", (ws) => server.#accept(ws));
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.wss.address() as AddressInfo).port}`;
  }

  /** Frames of type `t` received so far. */
  framesOf<T extends ClientFrame["t"]>(t: T): Array<Extract<ClientFrame, { t: T }>> {
    return this.received.filter((r) => r.frame.t === t).map((r) => r.frame as Extract<ClientFrame, { t: T }>);
  }

  room(id: string): FakeRoom {
    let room = this.rooms.get(id);
    if (!room) this.rooms.set(id, (room = { epoch: "e1", events: [], byCmid: new Map() }));
    return room;
  }

  /** Appends an event as another user would, fanning it out to subscribers. */
  publish(roomId: string, body: Json, cmid = `srv-${Math.random()}`): RoomEvent {
    const room = this.room(roomId);
    const event: RoomEvent = {
      room: roomId,
      seq: room.events.length + 1,
      id: `ev-${roomId}-${room.events.length + 1}`,
      from: "other",
      ts: Date.now(),
      kind: "message",
      body,
      cmid,
    };
    room.events.push(event);
    room.byCmid.set(cmid, event);
    for (const conn of this.connections) if (conn.subs.has(roomId)) this.send(conn, { t: "event", ...event });
    return event;
  }

  /** Sends a frame to every open connection. */
  inject(frame: ServerFrame): void {
    for (const conn of this.connections) this.send(conn, frame);
  }

  /** Kills every connection: with a close code, or abruptly (no close frame) when `code` is absent. */
  dropAll(code?: number, reason = ""): void {
    for (const conn of this.connections) {
      if (code === undefined) conn.ws.terminate();
      else conn.ws.close(code, reason);
    }
  }

  async close(): Promise<void> {
    for (const conn of this.connections) {
      clearInterval(conn.ping);
      conn.ws.terminate();
    }
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  send(conn: FakeConnection, frame: ServerFrame): void {
    if (!this.silent && conn.ws.readyState === conn.ws.OPEN) conn.ws.send(JSON.stringify(frame));
  }

  #accept(ws: WebSocket): void {
    const index = ++this.accepted;
    const conn: FakeConnection = { ws, subs: new Set() };
    this.connections.add(conn);
    ws.on("message", (data) => {
      const frame = JSON.parse(String(data)) as ClientFrame;
      this.received.push({ conn: index, frame });
      if (!this.silent) this.#handle(conn, frame);
    });
    ws.on("close", () => {
      clearInterval(conn.ping);
      this.connections.delete(conn);
    });
  }

  #handle(conn: FakeConnection, frame: ClientFrame): void {
    switch (frame.t) {
      case "connect":
        return this.#connect(conn, frame);
      case "sub":
        return this.#sub(conn, frame);
      case "unsub":
        conn.subs.delete(frame.room);
        return this.send(conn, { t: "unsubscribed", id: frame.id, room: frame.room });
      case "pub":
        return this.#pub(conn, frame);
      case "history":
        return this.#history(conn, frame);
      case "presence":
        return this.send(conn, { t: "presence", id: frame.id, room: frame.room, members: this.#members(frame.room) });
      case "inbox":
        return this.send(conn, { t: "inbox", id: frame.id, rooms: this.inboxRooms });
      default:
    }
  }

  #connect(conn: FakeConnection, frame: Extract<ClientFrame, { t: "connect" }>): void {
    if (this.rejectWith) return conn.ws.close(this.rejectWith.code, this.rejectWith.reason);
    conn.user = frame.user ?? "token-user";
    if (frame.token !== undefined) conn.token = frame.token;
    const heartbeatMs = this.options.heartbeatMs ?? 25_000;
    this.send(conn, {
      t: "connected",
      version: 1,
      session: `s${this.accepted}`,
      user: conn.user,
      heartbeatMs,
      limits: { maxMessageBytes: 65536, maxSubscriptions: 100 },
    });
    if (this.options.ping !== false) conn.ping = setInterval(() => this.send(conn, { t: "ping" }), heartbeatMs);
  }

  /** Mirrors the real gateway's rules: an inexact resume replays the current epoch from its start. */
  #sub(conn: FakeConnection, frame: Extract<ClientFrame, { t: "sub" }>): void {
    const room = this.room(frame.room);
    const lastSeq = room.events.length;
    let afterSeq = lastSeq;
    let recovered = true;
    if (frame.since !== undefined) {
      const exact = (frame.epoch === undefined || frame.epoch === room.epoch) && frame.since <= lastSeq;
      afterSeq = exact ? frame.since : 0;
      recovered = exact;
    }
    this.send(conn, { t: "subscribed", id: frame.id, room: frame.room, epoch: room.epoch, lastSeq, recovered });
    for (const event of room.events.slice(afterSeq)) this.send(conn, { t: "event", ...event });
    conn.subs.add(frame.room);
  }

  /** Simulates a wiped store: new epoch, no events. */
  resetRoom(id: string, epoch: string): void {
    this.rooms.set(id, { epoch, events: [], byCmid: new Map() });
  }

  #pub(conn: FakeConnection, frame: Extract<ClientFrame, { t: "pub" }>): void {
    const room = this.room(frame.room);
    const known = room.byCmid.get(frame.cmid);
    const event = known ?? this.publish(frame.room, frame.body, frame.cmid);
    if (this.refuseAcks) return;
    this.send(conn, {
      t: "ack",
      id: frame.id,
      room: frame.room,
      cmid: frame.cmid,
      seq: event.seq,
      ts: event.ts,
      dup: !!known,
    });
  }

  #history(conn: FakeConnection, frame: Extract<ClientFrame, { t: "history" }>): void {
    const room = this.room(frame.room);
    const limit = frame.limit ?? 50;
    let events = room.events.filter(
      (e) => (frame.after === undefined || e.seq > frame.after) && (frame.before === undefined || e.seq < frame.before),
    );
    const hasMore = events.length > limit;
    events = frame.after !== undefined ? events.slice(0, limit) : events.slice(-limit);
    this.send(conn, { t: "history", id: frame.id, room: frame.room, epoch: room.epoch, events, hasMore });
  }

  #members(roomId: string): Array<{ user: string; connections: number }> {
    const counts = new Map<string, number>();
    for (const conn of this.connections) {
      if (conn.subs.has(roomId) && conn.user) counts.set(conn.user, (counts.get(conn.user) ?? 0) + 1);
    }
    return [...counts].map(([user, connections]) => ({ user, connections }));
  }
}

/** Polls `condition` (which may be async) until it holds, failing after `timeoutMs`. */
export async function waitUntil(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
  what = "condition",
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
