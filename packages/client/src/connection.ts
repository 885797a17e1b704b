import {
  CLOSE,
  SUPPORTED_VERSIONS,
  shouldReconnect,
  type ClientFrame,
  type ConnectFrame,
  type ConnectedFrame,
  type ServerFrame,
} from "@parley/protocol";
import { Backoff } from "./backoff.js";
import { ConnectionStateMachine, type ConnectionState, type StateChange } from "./connection-state.js";
import { ConnectionClosedError } from "./errors.js";
import { Emitter } from "./events.js";
import { Heartbeat } from "./heartbeat.js";
import type { ResolvedOptions } from "./options.js";
import type { TimerHandle } from "./timers.js";
import type { Transport, TransportKind } from "./transport.js";
import { openTransport } from "./transport-factory.js";
import { classifyFailure } from "./transport-failure.js";
import { TransportSelector } from "./transport-selector.js";

/** What a connection reports to the client. */
export interface ConnectionEvents {
  state: StateChange;
  /** A session began (first connect or any reconnect). */
  connected: ConnectedFrame;
  /** A session ended, for whatever reason; in-flight work must be re-sent on the next `connected`. */
  disconnected: { code: number; reason: string };
  /** Every server frame except the connection's own (`connected`, `ping`, `pong`). */
  frame: ServerFrame;
  error: Error;
}

/** Local close codes: the client decided, not the server. */
const NORMAL_CLOSURE = 1000;
const ABNORMAL_CLOSURE = 1006;

/**
 * One logical connection over a series of sockets: opens them, performs the
 * handshake, answers pings, detects dead links, and reconnects with backoff
 * until the app disconnects or the server closes with a terminal code.
 */
export class Connection {
  readonly events = new Emitter<ConnectionEvents>();
  readonly #machine = new ConnectionStateMachine((change) => this.events.emit("state", change));
  readonly #heartbeat: Heartbeat;
  readonly #backoff: Backoff;
  readonly #selector: TransportSelector;
  #transport: Transport | undefined;
  /** Whether the current attempt's transport has delivered a server frame (it can reach the server). */
  #reached = false;
  /** The HTTP check classifying the last failed attempt; the next attempt waits for its verdict. */
  #failureCheck: { abort: AbortController; done: Promise<void> } | undefined;
  #session: ConnectedFrame | undefined;
  #connectTimer: TimerHandle | undefined;
  #reconnectTimer: TimerHandle | undefined;
  #token: string | undefined;
  #tokenStale = false;
  /** Bumped on every attempt and on disconnect, so a stale async step can tell it lost the race. */
  #generation = 0;

  constructor(private readonly options: ResolvedOptions) {
    this.#heartbeat = new Heartbeat(options.timers, () => this.#dead());
    this.#backoff = new Backoff(options.backoff, options.random);
    this.#selector = new TransportSelector(options.transports, options.transportFallback, () => options.timers.now());
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#machine.state;
  }

  /** The transport of the current session, while connected. */
  get transport(): TransportKind | undefined {
    return this.#session ? this.#transport?.kind : undefined;
  }

  /** The current session, while connected. */
  get session(): ConnectedFrame | undefined {
    return this.#session;
  }

  /** Starts connecting (no-op when already connecting, connected or waiting to reconnect). */
  connect(): void {
    const state = this.#machine.state;
    if (state !== "disconnected" && state !== "closed") return;
    this.#backoff.reset();
    this.#machine.setState("connecting", "connect() called");
    void this.#open();
  }

  /** Closes the socket and stops reconnecting. */
  disconnect(reason = "disconnect() called"): void {
    if (this.#machine.state === "disconnected") return;
    this.#generation++;
    this.#failureCheck?.abort.abort();
    this.#failureCheck = undefined;
    const wasOpen = this.#transport !== undefined;
    this.#transport?.close(NORMAL_CLOSURE, "client disconnect");
    this.#teardown();
    if (wasOpen) this.events.emit("disconnected", { code: NORMAL_CLOSURE, reason });
    this.#machine.setState("disconnected", reason);
  }

  /** Sends a frame on the live session; false when not connected. */
  send(frame: ClientFrame): boolean {
    if (this.#machine.state !== "connected" || !this.#transport) return false;
    return this.#transport.send(frame);
  }

  async #open(): Promise<void> {
    const generation = ++this.#generation;
    let token: string | undefined;
    try {
      [token] = await Promise.all([this.#credentials(), this.#failureCheck?.done]);
    } catch (error) {
      if (generation !== this.#generation) return;
      this.events.emit("error", error instanceof Error ? error : new Error(String(error)));
      this.#retry(`getToken failed: ${String(error)}`);
      return;
    }
    if (generation !== this.#generation) return;
    this.#failureCheck = undefined;
    this.#startSocket(token);
  }

  /** The JWT the client connects with (fetched with `getToken` when needed); undefined without one. */
  credentials(): Promise<string | undefined> {
    return this.#credentials();
  }

  async #credentials(): Promise<string | undefined> {
    if (!this.options.getToken) return this.options.token;
    if (this.#token === undefined || this.#tokenStale) {
      this.#token = await this.options.getToken();
      this.#tokenStale = false;
    }
    return this.#token;
  }

  #startSocket(token: string | undefined): void {
    this.#reached = false;
    try {
      this.#transport = openTransport(this.#selector.next(), this.options, {
        onOpen: () => this.#sendConnect(token),
        onFrame: (frame) => this.#onTransportFrame(frame),
        onClose: (code, reason) => this.#closedByPeer(code, reason),
        onMalformed: () => this.events.emit("error", new Error("parley: the server sent a frame that is not JSON")),
      });
    } catch (error) {
      // The constructor throws synchronously only for a malformed URL: retrying cannot help.
      this.#terminal(ABNORMAL_CLOSURE, String(error));
      return;
    }
    this.#connectTimer = this.options.timers.setTimeout(
      () => this.#abort(CLOSE.CONNECT_TIMEOUT, "connect timeout"),
      this.options.connectTimeoutMs,
    );
  }

  #sendConnect(token: string | undefined): void {
    const frame: ConnectFrame = { t: "connect", versions: [...SUPPORTED_VERSIONS], client: this.options.clientName };
    if (token !== undefined) frame.token = token;
    if (this.options.user !== undefined) frame.user = this.options.user;
    this.#transport?.send(frame);
  }

  #onTransportFrame(frame: ServerFrame): void {
    this.#serverReached();
    this.#onFrame(frame);
  }

  /** A close the transport reported; a Parley close code (4000+) proves the server answered on it. */
  #closedByPeer(code: number, reason: string): void {
    if (code >= 4000) this.#serverReached();
    this.#lost(code, reason);
  }

  /** The transport in use reaches the server: the fallback rule keeps it. */
  #serverReached(): void {
    if (!this.#reached) this.#selector.reached();
    this.#reached = true;
  }

  #onFrame(frame: ServerFrame): void {
    this.#heartbeat.touch();
    if (frame.t === "connected") return this.#onConnected(frame);
    if (frame.t === "ping") {
      this.#transport?.send(frame.id === undefined ? { t: "pong" } : { t: "pong", id: frame.id });
      return;
    }
    if (frame.t === "pong") return;
    if (frame.t === "error" && frame.code === "TOKEN_EXPIRED") this.#tokenStale = true;
    this.events.emit("frame", frame);
  }

  #onConnected(frame: ConnectedFrame): void {
    this.#clearTimers();
    this.#backoff.reset();
    this.#session = frame;
    const { timeoutMs, timeoutFactor } = this.options.heartbeat;
    if (timeoutMs !== undefined || frame.heartbeatMs > 0) {
      this.#heartbeat.start(timeoutMs ?? Math.ceil(frame.heartbeatMs * timeoutFactor));
    }
    this.#machine.setState("connected", `connected as ${frame.user} over ${this.#transport?.kind}`);
    this.events.emit("connected", frame);
  }

  /** We decided the socket is unusable: close it ourselves and handle it like a server close. */
  #abort(code: number, reason: string): void {
    this.#transport?.close(code, reason);
    this.#lost(code, reason);
  }

  #dead(): void {
    this.#abort(CLOSE.HEARTBEAT_TIMEOUT, "heartbeat timeout: no frames from the server");
  }

  #lost(code: number, reason: string): void {
    if (!this.#reached) this.#checkFailure();
    this.#teardown();
    this.events.emit("disconnected", { code, reason });
    if (code === CLOSE.TOKEN_EXPIRED) this.#tokenStale = true;
    if (!shouldReconnect(code)) return this.#terminal(code, reason);
    this.#retry(`connection lost (${code}${reason ? ` ${reason}` : ""})`);
  }

  /**
   * The attempt ended before reaching the server. Whether that counts against
   * the transport depends on whether the server answers HTTP (see
   * `AttemptFailure`); the check runs during the backoff wait.
   */
  #checkFailure(): void {
    const { fetch, checkUrl, transports, timers, connectTimeoutMs } = this.options;
    // With one transport there is nothing to fall back to, so nothing to check.
    if (transports.length < 2 || !fetch || !checkUrl) return;
    const abort = new AbortController();
    const done = classifyFailure({ url: checkUrl, fetch, timers, timeoutMs: connectTimeoutMs }, abort.signal).then(
      (cause) => {
        if (!abort.signal.aborted) this.#selector.failed(cause);
      },
    );
    this.#failureCheck = { abort, done };
  }

  #terminal(code: number, reason: string): void {
    this.#machine.setState("closed", `closed by server (${code}${reason ? ` ${reason}` : ""})`);
    this.events.emit("error", new ConnectionClosedError(code, reason));
  }

  #retry(reason: string): void {
    this.#machine.setState("reconnecting", reason);
    const delay = this.#backoff.next();
    this.#reconnectTimer = this.options.timers.setTimeout(() => {
      this.#reconnectTimer = undefined;
      this.#machine.setState("connecting", `reconnect attempt ${this.#backoff.attempt}`);
      void this.#open();
    }, delay);
  }

  #teardown(): void {
    this.#transport = undefined;
    this.#session = undefined;
    this.#heartbeat.stop();
    this.#clearTimers();
    if (this.#reconnectTimer !== undefined) this.options.timers.clearTimeout(this.#reconnectTimer);
    this.#reconnectTimer = undefined;
  }

  #clearTimers(): void {
    if (this.#connectTimer !== undefined) this.options.timers.clearTimeout(this.#connectTimer);
    this.#connectTimer = undefined;
  }
}
