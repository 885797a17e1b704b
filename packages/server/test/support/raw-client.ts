/**
 * A deliberately minimal Parley protocol client on `ws`, for black-box tests.
 * It knows nothing of packages/client: it sends the frames it is told to,
 * keeps every frame it receives, and answers server pings (unless paused).
 */
import WebSocket, { type RawData } from "ws";
import type { ConnectedFrame, ErrorFrame, EventFrame, ServerFrame } from "@parley/protocol";

/** How the socket ended. */
export interface CloseInfo {
  readonly code: number;
  readonly reason: string;
}

/** What to present in the `connect` frame. */
export interface ConnectOptions {
  readonly user?: string;
  readonly token?: string;
  readonly versions?: number[];
}

/** A frame the client sends; `id` is filled in by {@link RawClient.request}. */
export type OutFrame = Record<string, unknown> & { t: string };

const DEFAULT_TIMEOUT_MS = 10_000;

type Waiter = { pred: (f: ServerFrame) => boolean; resolve: (f: ServerFrame) => void };

/** A raw protocol connection. */
export class RawClient {
  /** Every frame received, in order. */
  readonly frames: ServerFrame[] = [];
  /** Resolves when the socket has closed. */
  readonly closed: Promise<CloseInfo>;
  /** Set once closed. */
  closeInfo: CloseInfo | undefined;
  private nextId = 1;
  private waiters = new Set<Waiter>();
  private readonly byRoom = new Map<string, EventFrame[]>();

  private constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) =>
      ws.once("close", (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      }),
    );
    ws.on("message", (data, isBinary) => this.onMessage(data, isBinary));
    // Errors surface as close codes; an unhandled 'error' would crash the test runner.
    ws.on("error", () => undefined);
  }

  /** Opens the socket only; no `connect` frame is sent. */
  static open(url: string, headers: Record<string, string> = {}): Promise<RawClient> {
    const ws = new WebSocket(url, { headers, maxPayload: 64 * 1024 * 1024 });
    const client = new RawClient(ws);
    return new Promise((resolve, reject) => {
      ws.once("open", () => resolve(client));
      ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode} on upgrade`)));
      ws.once("error", reject);
    });
  }

  /** Opens the socket and completes `connect`; rejects with the error frame when refused. */
  static async connect(url: string, options: ConnectOptions): Promise<RawClient> {
    const client = await RawClient.open(url);
    const reply = await client.request({
      t: "connect",
      versions: options.versions ?? [1],
      ...(options.user !== undefined ? { user: options.user } : {}),
      ...(options.token !== undefined ? { token: options.token } : {}),
    });
    if (reply.t !== "connected") {
      client.terminate();
      throw Object.assign(new Error(`connect refused: ${JSON.stringify(reply)}`), { frame: reply });
    }
    return client;
  }

  /** The `connected` frame, once received. */
  get connected(): ConnectedFrame | undefined {
    return this.frames.find((f): f is ConnectedFrame => f.t === "connected");
  }

  /** Sends a frame as JSON text. */
  send(frame: OutFrame): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends raw text or bytes in a text frame (bytes are not checked for UTF-8). */
  sendRaw(data: string | Buffer): void {
    this.ws.send(data, { binary: false });
  }

  /** Sends `frame` with a fresh `id` and resolves with the reply (or error) carrying that id. */
  async request(frame: OutFrame, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame> {
    const id = this.nextId++;
    const reply = this.waitFor((f) => "id" in f && f.id === id && f.t !== "ping", timeoutMs);
    this.send({ ...frame, id });
    return reply;
  }

  /** Like {@link request}, but rejects unless the reply has type `t`. */
  async expect<T extends ServerFrame["t"]>(
    frame: OutFrame,
    t: T,
    timeoutMs?: number,
  ): Promise<Extract<ServerFrame, { t: T }>> {
    const reply = await this.request(frame, timeoutMs);
    if (reply.t !== t) throw new Error(`expected ${t}, got ${JSON.stringify(reply)} for ${JSON.stringify(frame)}`);
    return reply as Extract<ServerFrame, { t: T }>;
  }

  /** The first frame (already received or future) matching `pred`. */
  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame> {
    const found = this.frames.find(pred);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { pred, resolve: (f) => (clearTimeout(timer), resolve(f)) };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const tail = this.frames.slice(-5).map((f) => JSON.stringify(f).slice(0, 200));
        reject(new Error(`waitFor timed out after ${timeoutMs} ms; last frames:\n  ${tail.join("\n  ")}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits until `room` has at least `count` events; resolves with all of them. */
  async waitForEvents(room: string, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<EventFrame[]> {
    const enough = (): boolean => this.events(room).length >= count;
    if (!enough()) {
      const closed = this.closed.then((info) => {
        throw new Error(`closed ${info.code} with ${this.events(room).length}/${count} events in ${room}`);
      });
      const arrived = this.waitFor(() => enough(), timeoutMs);
      // Whichever loses the race must not surface later as an unhandled rejection.
      closed.catch(() => undefined);
      arrived.catch(() => undefined);
      await Promise.race([arrived, closed]);
    }
    return this.events(room);
  }

  /** Events received for `room`, in arrival order. */
  events(room: string): EventFrame[] {
    return this.byRoom.get(room) ?? [];
  }

  /** Error frames received, in order. */
  errors(): ErrorFrame[] {
    return this.frames.filter((f): f is ErrorFrame => f.t === "error");
  }

  /** Resolves with the close code, or rejects when the socket stays open past `timeoutMs`. */
  async waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      return await Promise.race([this.closed, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Stops reading from the TCP socket: the server's writes back up, and pings go unanswered. */
  pause(): void {
    this.ws.pause();
  }

  /** Reads from the TCP socket again. */
  resume(): void {
    this.ws.resume();
  }

  /** Clean close handshake. */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    this.ws.close(1000);
    await this.waitClosed().catch(() => this.terminate());
  }

  /** Drops the TCP connection without a close frame. */
  terminate(): void {
    this.ws.terminate();
  }

  private roomLog(room: string): EventFrame[] {
    let log = this.byRoom.get(room);
    if (!log) this.byRoom.set(room, (log = []));
    return log;
  }

  private onMessage(data: RawData, isBinary: boolean): void {
    const text = isBinary ? "" : data.toString();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(text) as ServerFrame;
    } catch {
      frame = { t: "error", code: "BAD_JSON", message: `client could not parse: ${text}`, retryable: false };
    }
    this.frames.push(frame);
    if (frame.t === "event") this.roomLog(frame.room).push(frame);
    if (frame.t === "ping") this.send(frame.id === undefined ? { t: "pong" } : { t: "pong", id: frame.id });
    for (const waiter of [...this.waiters]) {
      if (waiter.pred(frame)) {
        this.waiters.delete(waiter);
        waiter.resolve(frame);
      }
    }
  }
}
