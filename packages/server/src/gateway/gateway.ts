import { RoomActivity, type RoomRate } from "./room-activity.js";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { CLOSE, ERRORS, encodeFrame, type ErrorCode, type PresenceMember } from "@parley/protocol";
import type { Logger } from "pino";
import type { Authenticator } from "../auth/authenticator.js";
import type { ParleyConfig } from "../config/options.js";
import { TokenBucket } from "@parley/protocol";
import type { EventLog } from "../log/event-log.js";
import type { Metrics } from "../metrics/metrics.js";
import { LocalPresence } from "../presence/local-presence.js";
import type { Presence, PresenceChange, RoomOccupancy } from "../presence/presence.js";
import type { TypingRelay } from "../presence/typing-relay.js";
import type { DisconnectRelay } from "../presence/disconnect-relay.js";
import { createPolicy, type Policy } from "../policy/policy.js";
import type { Store } from "../store/store.js";
import { originAllowed } from "../transport/origin.js";
import { OutboundFrame } from "../transport/outbound-frame.js";
import { SseTransport, readBody, readFrames } from "../transport/sse-transport.js";
import { forwardPost, newSessionId, ownerUrl, type SseNodes } from "../transport/sse-forward.js";
import type { Transport } from "../transport/transport.js";
import { WS_PATH, WsAcceptor, refuseUpgrade } from "../transport/ws-transport.js";
import type { GatewayContext } from "./context.js";
import { RoomHub } from "./room-hub.js";
import { InboxHub } from "./inbox-hub.js";
import { Session } from "./session.js";
import type { SubscriptionOwner } from "./subscription.js";

/** What the gateway is built from; `presence` defaults to single-node LocalPresence, `typing` to none (one node). */
export interface GatewayDeps {
  log: EventLog;
  store: Store;
  auth: Authenticator;
  config: ParleyConfig;
  logger: Logger;
  metrics: Metrics;
  presence?: Presence;
  /** Carries typing notices to and from the other nodes of a cluster. */
  typing?: TypingRelay;
  /** Carries the server API's disconnects to and from the other nodes of a cluster. */
  disconnects?: DisconnectRelay;
  /** The cluster's gateways: SSE session ids name this node, and POSTs for another node's sessions go there. */
  sseNodes?: SseNodes;
  /** The rules every transport applies; by default built over `log` and `store` (composition shares one with HTTP). */
  policy?: Policy;
  /**
   * Forgets what `store` cached about a room's rule (auth/room-rule-cache.ts): called when the log
   * records a membership change (made through any gateway: joins, adds, leaves, creation, renames).
   */
  forgetRoom?: (room: string) => void;
}

/**
 * The gateway: client connections over WebSocket and SSE, sessions, the room
 * registry and fan-out from the event log, presence relay and heartbeats.
 */
export class Gateway implements GatewayContext {
  readonly log: EventLog;
  readonly store: Store;
  readonly auth: Authenticator;
  readonly config: ParleyConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly presence: Presence;
  readonly policy: Policy;
  readonly hub: RoomHub;
  readonly inboxes: InboxHub;
  /** Messages per second per room, for the admin dashboard. */
  readonly activity = new RoomActivity();
  private readonly typing: TypingRelay | undefined;
  private readonly disconnects: DisconnectRelay | undefined;
  private readonly sseNodes: SseNodes | undefined;
  draining = false;
  private readonly sessions = new Set<Session>();
  /** Sessions split into heartbeat slices; one slice is visited per heartbeat tick (see start()). */
  private readonly slices: Array<Set<Session>>;
  private readonly sliceOf = new Map<Session, Set<Session>>();
  private nextSlot = 0;
  private tickCount = 0;
  private readonly sseStreams = new Map<string, { transport: SseTransport; session: Session }>();
  private readonly userConnections = new Map<string, number>();
  private readonly userBuckets = new Map<string, TokenBucket>();
  private readonly acceptor: WsAcceptor;
  private readonly stoppers: Array<() => void> = [];

  constructor(deps: GatewayDeps) {
    this.log = deps.log;
    this.store = deps.store;
    this.auth = deps.auth;
    this.config = deps.config;
    this.logger = deps.logger;
    this.metrics = deps.metrics;
    this.presence = deps.presence ?? new LocalPresence();
    this.typing = deps.typing;
    this.disconnects = deps.disconnects;
    this.sseNodes = deps.sseNodes;
    this.policy = deps.policy ?? createPolicy(deps);
    // A log that routes by interest delivers the rooms someone here subscribes to or whose inbox follows.
    const follow = (room: string) => this.log.interest?.(room) ?? noop;
    this.hub = new RoomHub(
      (room, afterSeq, limit) => this.log.read(room, afterSeq, limit),
      (rooms) => this.metrics.rooms.set(rooms),
      deps.forgetRoom,
      follow,
    );
    this.inboxes = new InboxHub((open) => this.metrics.inboxes.set(open), follow);
    this.acceptor = new WsAcceptor({ maxFrameBytes: deps.config.maxFrameBytes });
    const count = Math.min(MAX_SLICES, Math.max(1, Math.floor(deps.config.heartbeatMs / SLICE_MS)));
    this.slices = Array.from({ length: count }, () => new Set<Session>());
  }

  /** Subscribes to the log and the presence feed, and starts the heartbeat timer. */
  start(): void {
    this.stoppers.push(
      this.log.subscribe((event) => {
        this.metrics.deliveries.inc(this.hub.publish(event));
        this.activity.record(event.room);
        this.inboxes.publish(event);
      }),
    );
    this.stoppers.push(this.presence.onChange((change) => this.relayPresence(change)));
    // Another node's notice passed its checks there; here it goes to every live subscriber of the room.
    if (this.typing)
      this.stoppers.push(this.typing.onTyping((room, user) => this.hub.broadcast(room, typingFrame(room, user))));
    if (this.disconnects)
      this.stoppers.push(this.disconnects.onDisconnect((user, reconnect) => this.closeUser(user, reconnect)));
    // Each session is still visited once per heartbeatMs, but in slices spread over the interval: pinging
    // 10k sockets in one loop stalled the event loop ~100 ms every heartbeat, the fan-out's whole p99.
    const timer = setInterval(() => this.tick(), this.config.heartbeatMs / this.slices.length);
    timer.unref();
    this.stoppers.push(() => clearInterval(timer));
  }

  /** WebSocket upgrade at /v1/ws: 404 elsewhere, 403 for a refused Origin, 503 while draining. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on("error", (err) => this.logger.debug({ err }, "upgrade socket error"));
    try {
      if (pathOf(req) !== WS_PATH) return refuseUpgrade(socket, 404, "Not Found");
      if (!originAllowed(req, this.config.allowedOrigins)) return refuseUpgrade(socket, 403, "Forbidden");
      if (this.draining) return refuseUpgrade(socket, 503, "Service Unavailable");
      this.acceptor.accept(req, socket, head, (transport) => this.open(transport));
    } catch (err) {
      this.logger.error({ err }, "websocket upgrade failed");
      socket.destroy();
    }
  }

  /** GET /v1/sse: opens an event stream; its first message names the session for POSTs. */
  handleSse(req: IncomingMessage, res: ServerResponse): void {
    try {
      if (!originAllowed(req, this.config.allowedOrigins)) return replyError(res, "FORBIDDEN");
      if (this.draining) return replyError(res, "SHUTTING_DOWN");
      const transport = new SseTransport(res, newSessionId(this.sseNodes));
      transport.open(corsHeaders(req));
      const session = this.open(transport);
      if (session.state.name !== "closed") this.sseStreams.set(transport.id, { transport, session });
    } catch (err) {
      this.logger.error({ err }, "sse open failed");
      if (!res.headersSent) replyError(res, "INTERNAL");
    }
  }

  /** POST /v1/sse/:session: one client frame or a JSON array of frames → 204; replies arrive on the stream. */
  handleSsePost(req: IncomingMessage, res: ServerResponse, sessionId: string): void {
    this.ssePost(req, res, sessionId).catch((err: unknown) => {
      this.logger.error({ err }, "sse post failed");
      if (!res.headersSent) replyError(res, "INTERNAL");
    });
  }

  /** A notice typed on this node, already checked: to the room's live subscriptions but the sender's, and to the other nodes. */
  typed(room: string, user: string, sender: SubscriptionOwner): void {
    this.hub.broadcast(room, typingFrame(room, user), sender);
    this.typing?.send(room, user);
  }

  /** Who is in `room`, for the REST API. */
  presenceOf(room: string): PresenceMember[] {
    return this.presence.members(room);
  }

  /** Every room someone is in (cluster-wide with a cluster presence), for the server API. */
  occupancy(): RoomOccupancy[] {
    return this.presence.occupancy();
  }

  /**
   * The server API's disconnect: closes `user`'s sessions on this node, then has every other node
   * close theirs; resolves with how many this node closed once the others can read the request.
   */
  async disconnectUser(user: string, reconnect: boolean): Promise<number> {
    const closed = this.closeUser(user, reconnect);
    await this.disconnects?.send(user, reconnect);
    return closed;
  }

  /** Open connections, the distinct users they belong to, and rooms with local subscribers. */
  stats(): { connections: number; users: number; rooms: number } {
    const users = new Set<string>();
    // A session still in its handshake has no user yet ("").
    for (const session of this.sessions) if (session.user) users.add(session.user);
    return { connections: this.sessions.size, users: users.size, rooms: this.hub.roomCount };
  }

  /** The rooms with the most events per second lately (every gateway reads every event: cluster-wide). */
  busiestRooms(limit: number): RoomRate[] {
    return this.activity.busiest(limit);
  }

  /**
   * Graceful shutdown: refuse new connections, close every client with
   * CLOSE.SHUTDOWN (clients reconnect, elsewhere or later), and resolve once
   * their transports closed or shutdownGraceMs passed.
   */
  async drain(): Promise<void> {
    this.draining = true;
    for (const stop of this.stoppers.splice(0)) stop();
    const closing = [...this.sessions].map((s) => s.transportClosed());
    for (const session of [...this.sessions]) session.close(CLOSE.SHUTDOWN, "server shutting down");
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.config.shutdownGraceMs)));
    await Promise.race([Promise.all(closing), grace]);
    clearTimeout(timer);
  }

  acquireUser(user: string): boolean {
    const count = this.userConnections.get(user) ?? 0;
    if (count >= this.config.maxConnectionsPerUser) return false;
    this.userConnections.set(user, count + 1);
    return true;
  }

  releaseUser(user: string): void {
    const count = (this.userConnections.get(user) ?? 1) - 1;
    if (count > 0) return void this.userConnections.set(user, count);
    this.userConnections.delete(user);
    this.userBuckets.delete(user);
  }

  userBucket(user: string): TokenBucket {
    let bucket = this.userBuckets.get(user);
    if (!bucket) {
      const rate = this.config.publishRatePerUser;
      this.userBuckets.set(user, (bucket = new TokenBucket(rate, 2 * rate, Date.now())));
    }
    return bucket;
  }

  /** Closes this node's sessions of `user`: RECONNECT_REQUESTED (they may return) or DISCONNECTED (terminal). */
  private closeUser(user: string, reconnect: boolean): number {
    const mine = [...this.sessions].filter((s) => s.user === user);
    for (const session of mine) {
      if (reconnect) session.close(CLOSE.RECONNECT_REQUESTED, "reconnect requested by the server");
      else session.close(CLOSE.DISCONNECTED, "disconnected by the server");
    }
    return mine.length;
  }

  /** A session closed, whatever closed it (its `onClosed`). */
  private sessionClosed(session: Session): void {
    if (!this.sessions.delete(session)) return;
    this.sliceOf.get(session)?.delete(session);
    this.sliceOf.delete(session);
    this.metrics.connections.dec({ transport: session.transport.kind });
    if (session.transport instanceof SseTransport) this.sseStreams.delete(session.transport.id);
  }

  private open(transport: Transport): Session {
    const session = new Session(this, transport, (closed) => this.sessionClosed(closed));
    this.sessions.add(session);
    const slice = this.sliceAt(this.nextSlot++);
    this.sliceOf.set(session, slice);
    slice.add(session);
    this.metrics.connections.inc({ transport: transport.kind });
    return session;
  }

  private async ssePost(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    if (!originAllowed(req, this.config.allowedOrigins)) return replyError(res, "FORBIDDEN");
    const stream = this.sseStreams.get(sessionId);
    if (!stream) return this.relayPost(req, res, sessionId);
    const frames = await readFrames(req, this.config.maxFrameBytes);
    if (typeof frames === "string") {
      stream.session.fail(frames);
      return replyError(res, frames, frames === "BAD_JSON" ? {} : { connection: "close" });
    }
    for (const text of frames) stream.transport.deliver(text);
    res.writeHead(204, corsHeaders(req)).end();
  }

  /**
   * A POST for a session this node does not hold: forwarded to the gateway
   * its id names, whose answer is relayed (it judges the body and answers
   * exactly as for a local session). An unknown or unreachable gateway is
   * answered as an unknown session: the client reconnects and resumes.
   */
  private async relayPost(req: IncomingMessage, res: ServerResponse, sessionId: string): Promise<void> {
    const owner = ownerUrl(this.sseNodes, sessionId, req);
    if (!owner) return replyError(res, "NOT_FOUND");
    const body = await readBody(req, this.config.maxFrameBytes);
    const reply = body && (await forwardPost(owner, sessionId, req, body));
    this.metrics.sseForwards.inc({ result: reply ? "relayed" : "unreachable" });
    if (!reply) return replyError(res, "NOT_FOUND");
    res.writeHead(reply.status, reply.headers).end(reply.body);
  }

  private relayPresence(change: PresenceChange): void {
    const frame = new OutboundFrame(encodeFrame({ t: change.type, room: change.room, user: change.user }));
    this.hub.broadcast(change.room, frame);
  }

  /** Slice `n` modulo their count (the constructor makes at least one). */
  private sliceAt(n: number): Set<Session> {
    const slice = this.slices[n % this.slices.length];
    if (!slice) throw new Error("the gateway has no heartbeat slices");
    return slice;
  }

  private tick(): void {
    const now = Date.now();
    const slice = this.sliceAt(this.tickCount++);
    for (const session of [...slice]) {
      try {
        session.tick(now);
      } catch (err) {
        this.logger.error({ err, session: session.id }, "heartbeat tick failed");
      }
    }
  }
}

/** Target spacing of heartbeat slices, and their most. */
const SLICE_MS = 100;
const MAX_SLICES = 50;

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}

/** CORS headers for an allowed cross-origin SSE client (the origin check already passed). */
function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  return origin ? { "access-control-allow-origin": origin, vary: "Origin" } : {};
}

function replyError(res: ServerResponse, code: ErrorCode, headers: Record<string, string> = {}): void {
  const spec = ERRORS[code];
  const body = JSON.stringify({ error: { code, message: spec.description, retryable: spec.retryable } });
  res.writeHead(spec.status, { ...headers, "content-type": "application/json" }).end(body);
}

/** The frame of a typing notice, encoded once for every recipient. */
function typingFrame(room: string, user: string): OutboundFrame {
  return new OutboundFrame(encodeFrame({ t: "typing", room, user }));
}
function noop(): void {}
