/**
 * A raw SSE + POST client for black-box tests: GET /v1/sse streams server
 * frames (`data: <json>`); the first message is `{"t":"session","id":...}`;
 * client frames are POSTed to /v1/sse/<session>. A close arrives as
 * `event: close` with `{"code","reason"}`.
 */
import { request, type IncomingMessage } from "node:http";
import type { EventFrame, ServerFrame } from "@parley/protocol";
import type { CloseInfo, OutFrame } from "./raw-client.js";

const DEFAULT_TIMEOUT_MS = 10_000;

/** One SSE session. */
export class SseClient {
  /** Every server frame received, in order (the session message excluded). */
  readonly frames: ServerFrame[] = [];
  closeInfo: CloseInfo | undefined;
  session = "";
  /** Answer server pings (the default); false simulates a client that went silent. */
  autoPong = true;
  private nextId = 1;
  private listeners = new Set<() => void>();
  private res: IncomingMessage | undefined;

  private constructor(private readonly baseUrl: string) {}

  /** Opens the stream and waits for the session message. */
  static async open(baseUrl: string): Promise<SseClient> {
    const client = new SseClient(baseUrl);
    await client.start();
    return client;
  }

  /** Opens a session and completes `connect`. */
  static async connect(baseUrl: string, fields: Record<string, unknown>): Promise<SseClient> {
    const client = await SseClient.open(baseUrl);
    const reply = await client.request({ t: "connect", versions: [1], ...fields });
    if (reply.t !== "connected") throw new Error(`connect refused: ${JSON.stringify(reply)}`);
    return client;
  }

  /** POSTs one frame (or a batch) and resolves with the HTTP status. */
  async post(frame: OutFrame | OutFrame[] | string): Promise<number> {
    const body = typeof frame === "string" ? frame : JSON.stringify(frame);
    const res = await fetch(`${this.baseUrl}/v1/sse/${this.session}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** POSTs `frame` with a fresh id and resolves with the reply carrying that id. */
  async request(frame: OutFrame, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame> {
    const id = this.nextId++;
    const reply = this.waitFor((f) => "id" in f && f.id === id && f.t !== "ping", timeoutMs);
    const status = await this.post({ ...frame, id });
    if (status >= 300) throw new Error(`POST answered HTTP ${status}`);
    return reply;
  }

  /** Events received for `room`. */
  events(room: string): EventFrame[] {
    return this.frames.filter((f): f is EventFrame => f.t === "event" && f.room === room);
  }

  /** The first frame (received or future) matching `pred`. */
  waitFor(pred: (f: ServerFrame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<ServerFrame> {
    return this.until(() => this.frames.find(pred), timeoutMs, "frame");
  }

  /** Waits until `room` has `count` events. */
  async waitForEvents(room: string, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<EventFrame[]> {
    await this.until(() => (this.events(room).length >= count ? true : undefined), timeoutMs, `${count} events`);
    return this.events(room);
  }

  /** Waits for the `event: close` message (or the end of the stream, as 1006). */
  waitClosed(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<CloseInfo> {
    return this.until(() => this.closeInfo, timeoutMs, "close");
  }

  /** Stops reading the stream: the server's writes back up. */
  pause(): void {
    this.res?.pause();
  }

  /** Reads the stream again. */
  resume(): void {
    this.res?.resume();
  }

  /** Drops the stream. */
  destroy(): void {
    this.res?.destroy();
  }

  private until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const now = probe();
    if (now !== undefined) return Promise.resolve(now);
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const value = probe();
        if (value === undefined) return;
        this.listeners.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.listeners.delete(check);
        reject(new Error(`SSE: no ${what} within ${timeoutMs} ms; last: ${JSON.stringify(this.frames.slice(-3))}`));
      }, timeoutMs);
      this.listeners.add(check);
    });
  }

  private start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = request(`${this.baseUrl}/v1/sse`, { headers: { accept: "text/event-stream" } }, (res) => {
        this.res = res;
        if (res.statusCode !== 200) return reject(new Error(`GET /v1/sse answered ${res.statusCode}`));
        res.setEncoding("utf8");
        let buffer = "";
        res.on("data", (chunk: string) => {
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            this.onMessage(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
            if (this.session) resolve();
          }
        });
        res.on("close", () => this.onEnd());
        res.on("error", () => this.onEnd());
      });
      req.on("error", reject);
      req.end();
    });
  }

  private onMessage(block: string): void {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0) return; // comments / keep-alives
    const value = JSON.parse(data.join("\n")) as Record<string, unknown>;
    if (event === "close") this.closeInfo = { code: Number(value.code), reason: String(value.reason ?? "") };
    else if (value.t === "session") this.session = String(value.id);
    else this.frames.push(value as unknown as ServerFrame);
    // Liveness: the server counts any inbound frame; answer its pings like the WS client does.
    if (value.t === "ping" && this.session && this.autoPong) this.post({ t: "pong" }).catch(() => undefined);
    for (const listener of [...this.listeners]) listener();
  }

  private onEnd(): void {
    this.closeInfo ??= { code: 1006, reason: "stream ended" };
    for (const listener of [...this.listeners]) listener();
  }
}
