import { encodeFrame, type ClientFrame } from "@parley/protocol";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { deliverText, type Transport, type TransportHandlers } from "./transport.js";

/** The `fetch` the SSE transport uses: the runtime's (browsers, Node 18+) unless injected. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

/** Close codes the transport reports itself, as a WebSocket would. */
const ABNORMAL_CLOSURE = 1006;
const MESSAGE_TOO_BIG = 1009;

/**
 * A POST carries a batch; the server caps a body at `maxFrameBytes` (64 KiB by
 * default, not announced), so a batch stays well under it: a batch must never
 * be refused where its frames sent one by one would pass.
 */
export const SSE_BATCH_MAX_BYTES = 16 * 1024;

const utf8 = new TextEncoder();

/**
 * Server-Sent Events down, HTTP POST up (docs/protocol.md). Opens once the
 * stream's first message names the session. Frames are POSTed in order with
 * one POST in flight; frames sent meanwhile wait and go together as a JSON
 * array. Any failure (stream refused, stream ended, a POST refused or failed)
 * closes the transport like a broken socket, so the connection reconnects and
 * resumes exactly as over WebSocket; the server's `close` message carries the
 * WebSocket close code.
 *
 * Uses fetch with a streaming body rather than EventSource in every runtime:
 * Node 20 has no EventSource, and EventSource would reconnect on its own,
 * behind the connection state machine's back.
 */
export class SseTransport implements Transport {
  readonly kind = "sse" as const;
  readonly #abort = new AbortController();
  readonly #queue: string[] = [];
  #handlers: TransportHandlers | undefined;
  #postUrl: string | undefined;
  #posting = false;

  constructor(
    private readonly fetchImpl: FetchLike,
    private readonly url: string,
    handlers: TransportHandlers,
  ) {
    this.#handlers = handlers;
    this.#stream().then(
      () => this.#closed(ABNORMAL_CLOSURE, "stream ended without a close message"),
      (error: unknown) => this.#closed(ABNORMAL_CLOSURE, `stream failed: ${describe(error)}`),
    );
  }

  send(frame: ClientFrame): boolean {
    if (!this.#handlers || this.#postUrl === undefined) return false;
    this.#queue.push(encodeFrame(frame));
    this.#flush();
    return true;
  }

  /** Ends the stream; the server sees it go and closes the session (it has no close handshake to answer). */
  close(): void {
    this.#handlers = undefined;
    this.#abort.abort();
  }

  async #stream(): Promise<void> {
    const res = await this.fetchImpl(this.url, {
      headers: { accept: "text/event-stream" },
      signal: this.#abort.signal,
    });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    const parser = createParser({ onEvent: (event) => this.#event(event) });
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    while (this.#handlers) {
      const { done, value } = await reader.read();
      if (done) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  }

  #event(event: EventSourceMessage): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    if (event.event === "close") return this.#closeMessage(event.data);
    if (this.#postUrl === undefined) return this.#sessionMessage(handlers, event.data);
    deliverText(handlers, event.data);
  }

  #sessionMessage(handlers: TransportHandlers, data: string): void {
    const id = parseJson<{ t?: unknown; id?: unknown }>(data);
    if (id?.t !== "session" || typeof id.id !== "string") {
      return this.#closed(ABNORMAL_CLOSURE, "the stream did not start with a session message");
    }
    const url = new URL(this.url);
    url.pathname = `${url.pathname.replace(/\/$/, "")}/${encodeURIComponent(id.id)}`;
    url.search = "";
    this.#postUrl = url.toString();
    handlers.onOpen();
  }

  #closeMessage(data: string): void {
    const close = parseJson<{ code?: unknown; reason?: unknown }>(data);
    const code = typeof close?.code === "number" && Number.isInteger(close.code) ? close.code : ABNORMAL_CLOSURE;
    this.#closed(code, typeof close?.reason === "string" ? close.reason : "");
  }

  #flush(): void {
    if (!this.#handlers || this.#posting || this.#queue.length === 0 || this.#postUrl === undefined) return;
    const batch = takeBatch(this.#queue, SSE_BATCH_MAX_BYTES);
    this.#posting = true;
    this.fetchImpl(this.#postUrl, {
      method: "POST",
      // text/plain keeps a cross-origin POST a "simple" request: no preflight round trip per batch.
      headers: { "content-type": "text/plain;charset=UTF-8" },
      body: `[${batch.join(",")}]`,
      signal: this.#abort.signal,
    }).then(
      (res) => this.#posted(res),
      (error: unknown) => this.#closed(ABNORMAL_CLOSURE, `POST failed: ${describe(error)}`),
    );
  }

  #posted(res: Response): void {
    res.body?.cancel().catch(() => undefined);
    // 413: the server refused the frames (and said so on the stream); a WebSocket closes with 1009 there.
    if (res.status === 413) return this.#closed(MESSAGE_TOO_BIG, "POST refused: frame too large");
    if (!res.ok) return this.#closed(ABNORMAL_CLOSURE, `POST refused: HTTP ${res.status}`);
    this.#posting = false;
    this.#flush();
  }

  #closed(code: number, reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    this.#abort.abort();
    handlers?.onClose(code, reason);
  }
}

/**
 * Removes and returns the oldest frames whose JSON array fits in `maxBytes`;
 * always at least one, so a single large frame is left for the server to judge.
 */
export function takeBatch(queue: string[], maxBytes: number): string[] {
  let size = 2;
  let count = 0;
  for (const text of queue) {
    const bytes = utf8.encode(text).length + (count > 0 ? 1 : 0);
    if (count > 0 && size + bytes > maxBytes) break;
    size += bytes;
    count++;
  }
  return queue.splice(0, count);
}

function parseJson<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
