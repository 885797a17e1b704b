import { randomUUID } from "node:crypto";
import { CLOSE, ERRORS, ParleyError, encodeFrame, type ClientFrame, type ErrorCode } from "@parley/protocol";
import type { ConnectedFrame, ErrorFrame, ServerFrame } from "@parley/protocol";
import { decodeClientFrame } from "@parley/protocol/schemas";
import type { Principal } from "../auth/principal.js";
import { TokenBucket } from "@parley/protocol";
import { OutboundFrame } from "../transport/outbound-frame.js";
import type { Transport, TransportPeer } from "../transport/transport.js";
import type { GatewayContext } from "./context.js";
import { handleConnect } from "./connect.js";
import { dispatchConnected } from "./handlers.js";
import type { Subscription } from "./subscription.js";
import { SmallMap } from "./small-map.js";
import type { UserInbox } from "./inbox.js";
import { revokeSubscription } from "./subscribe.js";
import { logWrappedFailure } from "../logger.js";
import type { HandshakeSession, SessionPort } from "./session-port.js";
import { AUTHENTICATING, AWAITING, CLOSED, SESSION_TRANSITIONS, type SessionState } from "./session-state.js";
import { checkTransition } from "./transitions.js";

/** The server ping, encoded and framed once for every connection. */
const PING = new OutboundFrame(encodeFrame({ t: "ping" }));

/** A client's answer to PING as every SDK encodes it: it only proves liveness, so it skips decoding (one per connection per heartbeat). */
const PONG_TEXT = '{"t":"pong"}';

/** Frames a client may pipeline behind `connect` while it is being authenticated. */
const MAX_QUEUED = 64;

/**
 * One client connection on one transport: an explicit state machine
 * (session-state.ts, changed only by `transition`) that decodes every inbound
 * frame, enforces the per-connection limits and routes frames to the handlers.
 * It never throws into the transport.
 */
export class Session implements SessionPort, HandshakeSession, TransportPeer {
  readonly id = randomUUID();
  #state: SessionState = AWAITING;
  readonly subs = new SmallMap<string, Subscription>();
  inbox: UserInbox | undefined;
  // Idle connections are most of a gateway's memory, so what only some of them need is made on first use:
  // the rate buckets, the queue of frames pipelined behind `connect`, the drain promise; the connect timer goes once connected.
  private publishBucket: TokenBucket | undefined;
  private typingBucket: TokenBucket | undefined;
  private transportDone = false;
  private onTransportDone: (() => void) | undefined;
  private lastSeen = Date.now();
  /** When the client last sent a frame other than a pong, and when this side last sent one other than a ping. */
  private lastHeard = 0;
  private lastSent = 0;
  private errorWindowStart = Date.now();
  private errorCount = 0;
  private queued: string[] | undefined;
  private connectTimer: NodeJS.Timeout | undefined;

  /** `onClosed` is called once when the session closes, whatever closed it. */
  constructor(
    readonly ctx: GatewayContext,
    readonly transport: Transport,
    private readonly onClosed: (session: Session) => void = () => {},
  ) {
    transport.attach(this);
    this.connectTimer = setTimeout(() => this.onConnectTimeout(), ctx.config.connectTimeoutMs);
    this.connectTimer.unref();
  }

  /** The transport closed (either side): leave every room. */
  onTransportClose(): void {
    this.transportDone = true;
    this.onTransportDone?.();
    this.cleanup();
  }

  /** Resolves when the transport reports it is closed (used by drain). */
  transportClosed(): Promise<void> {
    if (this.transportDone) return Promise.resolve();
    return new Promise((resolve) => {
      const before = this.onTransportDone;
      this.onTransportDone = () => (before?.(), resolve());
    });
  }

  /** Takes a token from this connection's publish bucket (full at first use, as it would be at connect). */
  takePublish(now: number): boolean {
    const { publishRatePerConnection: rate } = this.ctx.config;
    this.publishBucket ??= new TokenBucket(rate, 2 * rate, now);
    return this.publishBucket.take(now);
  }

  /** Takes a token from this connection's typing bucket. */
  takeTyping(now: number): boolean {
    const { typingRatePerConnection: rate } = this.ctx.config;
    this.typingBucket ??= new TokenBucket(rate, 2 * rate, now);
    return this.typingBucket.take(now);
  }

  /** The session's state (session-state.ts); it changes only through `transition`. */
  get state(): SessionState {
    return this.#state;
  }

  /** The authenticated user while connected, else "". */
  get user(): string {
    return this.#state.name === "connected" ? this.#state.principal.user : "";
  }

  /** One inbound frame's text. Any frame, even a bad one, proves the link is alive. */
  onText(text: string): void {
    const now = Date.now();
    this.lastSeen = now;
    const { name } = this.#state;
    if (name === "closed") return;
    if (text === PONG_TEXT && name === "connected") return;
    this.lastHeard = now;
    if (name === "authenticating") return this.enqueue(text);
    this.handle(text);
  }

  /** Sends a frame built for this connection only. */
  reply(frame: ServerFrame): void {
    if (this.#state.name === "closed") return;
    this.lastSent = Date.now();
    this.transport.send(encodeFrame(frame));
    this.checkBuffer();
  }

  /** Sends a frame shared with other recipients (fan-out, presence, typing). */
  sendFrame(frame: OutboundFrame): void {
    if (this.#state.name === "closed") return;
    this.lastSent = Date.now();
    this.transport.sendFrame(frame);
    this.checkBuffer();
  }

  /** Sends a frame of a paced replay (see SubscriptionOwner.sendReplay). */
  sendReplay(frame: OutboundFrame): void {
    if (this.#state.name === "closed") return;
    this.lastSent = Date.now();
    this.transport.sendFrame(frame);
  }

  /**
   * Replies an `error` frame. Only non-retryable errors (client misuse) count toward
   * maxErrorsPerMinute: a throttled but well-behaved publisher must not be cut off.
   */
  fail(code: ErrorCode, message?: string, id?: number): void {
    this.ctx.metrics.errors.inc({ code });
    const frame: ErrorFrame = { t: "error", code, message: message ?? ERRORS[code].description, retryable: false };
    frame.retryable = ERRORS[code].retryable;
    if (id !== undefined) frame.id = id;
    this.reply(frame);
    if (!frame.retryable) this.countError();
  }

  /** Closes the connection with a Parley close code; idempotent. */
  close(code: number, reason: string): void {
    if (this.#state.name === "closed") return;
    this.cleanup();
    this.transport.close(code, reason);
  }

  /** The user lost access to the subscription's room. */
  revoke(sub: Subscription, code: ErrorCode): void {
    revokeSubscription(this, sub, code);
  }

  /** Catch-up buffer overflow: same remedy as a full socket buffer. */
  overflow(): void {
    this.cutOff();
  }

  /** Bytes accepted by the transport but not yet flushed. */
  bufferedBytes(): number {
    return this.transport.bufferedBytes();
  }

  /**
   * Periodic liveness check and server ping, driven by the gateway's heartbeat timer (once per `heartbeatMs`).
   * No ping when this side sent a frame in the last half interval and heard one (not a pong) in the last
   * interval: any frame proves liveness to either side (protocol.md, Heartbeats), and a busy chat connection (a DM
   * user) otherwise paid a ping and a pong per interval on top of its messages. However the traffic falls between
   * ticks, a client then hears something at least every 1.5 intervals (its dead-link bound is 2.5) and this side
   * hears the client at least every 2 intervals and a round trip (it closes after `heartbeatTimeoutMs`, 3).
   */
  tick(now: number): void {
    const state = this.#state;
    if (state.name === "closed") return;
    if (now - this.lastSeen > this.ctx.config.heartbeatTimeoutMs) {
      return this.close(CLOSE.HEARTBEAT_TIMEOUT, "heartbeat timeout");
    }
    if (state.name !== "connected") return;
    const { expiresAt } = state.principal;
    if (expiresAt !== undefined && now >= expiresAt) {
      this.fail("TOKEN_EXPIRED");
      return this.close(CLOSE.TOKEN_EXPIRED, "token expired");
    }
    const { heartbeatMs } = this.ctx.config;
    if (this.lastSent > now - heartbeatMs / 2 && this.lastHeard > now - heartbeatMs) return;
    this.transport.sendFrame(PING);
    this.checkBuffer();
  }

  /** Called by the connect handler once authenticated: replies `connected`, then runs pipelined frames. */
  connected(principal: Principal, frame: ConnectedFrame): void {
    this.transition({ name: "connected", principal });
    this.stopConnectTimer();
    this.reply(frame);
    const queued = this.queued ?? [];
    this.queued = undefined;
    for (const text of queued) if (this.#state.name === "connected") this.handle(text);
  }

  private handle(text: string): void {
    const decoded = decodeClientFrame(text);
    if (decoded.ok) return this.run(decoded.frame);
    this.fail(decoded.code, decoded.message, decoded.id);
    // A malformed `connect` is a refused connect: the client would only send it again, so close (terminal).
    if (decoded.t === "connect" && this.#state.name === "awaiting")
      this.close(CLOSE.PROTOCOL_VIOLATION, "malformed connect");
  }

  /** Runs a handler; neither a throw nor a rejection escapes, so no input can crash the node. */
  private run(frame: ClientFrame): void {
    const id = "id" in frame ? frame.id : undefined;
    try {
      const done = this.dispatch(frame);
      if (done) done.catch((err: unknown) => this.onHandlerError(err, id));
    } catch (err) {
      this.onHandlerError(err, id);
    }
  }

  private dispatch(frame: ClientFrame): Promise<void> | void {
    const state = this.#state;
    if (frame.t === "connect") {
      if (state.name !== "awaiting") return this.fail("ALREADY_CONNECTED", undefined, frame.id);
      this.transition(AUTHENTICATING);
      return handleConnect(this, frame);
    }
    if (state.name !== "connected") return this.fail("NOT_CONNECTED", undefined, "id" in frame ? frame.id : undefined);
    return dispatchConnected({ session: this, principal: state.principal }, frame);
  }

  /** The one place the state changes; throws on a move SESSION_TRANSITIONS does not allow. */
  private transition(next: SessionState): void {
    checkTransition("session", SESSION_TRANSITIONS, this.#state.name, next.name);
    this.#state = next;
  }

  private onHandlerError(err: unknown, id: number | undefined): void {
    if (this.#state.name === "closed") return;
    if (err instanceof ParleyError) {
      logWrappedFailure(this.ctx.logger, err, { session: this.id }, "gateway request failed");
      return this.fail(err.code, err.message, id);
    }
    this.ctx.logger.error({ err, session: this.id }, "gateway handler failed");
    this.fail("INTERNAL", undefined, id);
  }

  private enqueue(text: string): void {
    const queued = (this.queued ??= []);
    if (queued.length >= MAX_QUEUED) return this.close(CLOSE.PROTOCOL_VIOLATION, "too many frames before connected");
    queued.push(text);
  }

  private countError(): void {
    const now = Date.now();
    if (now - this.errorWindowStart >= 60_000) {
      this.errorWindowStart = now;
      this.errorCount = 0;
    }
    if (++this.errorCount > this.ctx.config.maxErrorsPerMinute) this.close(CLOSE.TOO_MANY_ERRORS, "too many errors");
  }

  private checkBuffer(): void {
    if (this.transport.bufferedBytes() > this.ctx.config.maxBufferedBytes) this.cutOff();
  }

  private cutOff(): void {
    if (this.#state.name === "closed") return;
    this.ctx.metrics.bufferDrops.inc();
    this.ctx.logger.warn({ session: this.id, user: this.user }, "slow consumer cut off");
    this.close(CLOSE.SLOW_CONSUMER, "slow consumer");
  }

  private stopConnectTimer(): void {
    clearTimeout(this.connectTimer);
    this.connectTimer = undefined;
  }

  private onConnectTimeout(): void {
    const { name } = this.#state;
    if (name === "awaiting" || name === "authenticating") this.close(CLOSE.CONNECT_TIMEOUT, "connect timeout");
  }

  /** Leaves every room, releases the user's slot, tells the gateway. Runs once. */
  private cleanup(): void {
    const was = this.#state;
    if (was.name === "closed") return;
    this.transition(CLOSED);
    this.stopConnectTimer();
    const user = was.name === "connected" ? was.principal.user : undefined;
    for (const sub of this.subs.values()) {
      sub.end();
      this.ctx.hub.remove(sub);
      if (user !== undefined) this.ctx.presence.leave(sub.room, user, this.id);
    }
    this.subs.clear();
    if (this.inbox) this.ctx.inboxes.remove(this.inbox);
    this.inbox = undefined;
    if (user !== undefined) this.ctx.releaseUser(user);
    this.onClosed(this);
  }
}
