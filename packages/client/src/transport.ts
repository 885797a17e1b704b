import { decodeServerFrame, encodeFrame, type ClientFrame, type ServerFrame } from "@parley/protocol";

/** The part of a message event the client reads. */
export interface MessageEventLike {
  data: unknown;
}
/** The part of a close event the client reads. */
export interface CloseEventLike {
  code: number;
  reason: string;
}

/**
 * The minimal WebSocket surface the client needs. The browser's WebSocket and
 * the `ws` package both satisfy it, so the core never imports a runtime module.
 */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: MessageEventLike) => void) | null;
  onclose: ((event: CloseEventLike) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  /** `ws` only: drops the TCP connection without a close handshake (a dead link never answers one). */
  terminate?(): void;
}

/** A WebSocket constructor, injected per runtime. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Callbacks from one socket's lifetime. */
export interface TransportHandlers {
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onClose(code: number, reason: string): void;
  /** A text that did not decode as a server frame. */
  onMalformed(data: unknown): void;
}

const OPEN = 1;

/**
 * One WebSocket, from open to close. A transport is never reused: each
 * (re)connect attempt gets a new one, so late events of an old socket cannot
 * leak into a new session.
 */
export class Transport {
  readonly #socket: WebSocketLike;
  #handlers: TransportHandlers | undefined;

  constructor(WebSocketImpl: WebSocketConstructor, url: string, handlers: TransportHandlers) {
    this.#handlers = handlers;
    this.#socket = new WebSocketImpl(url);
    this.#socket.onopen = () => this.#handlers?.onOpen();
    this.#socket.onmessage = (event) => this.#message(event.data);
    this.#socket.onclose = (event) => this.#closed(event.code, event.reason);
    // An error is always followed by a close event; the close decides what happens.
    this.#socket.onerror = () => undefined;
  }

  /** Sends a frame; false when the socket is not open (the caller decides whether to queue). */
  send(frame: ClientFrame): boolean {
    if (!this.#handlers || this.#socket.readyState !== OPEN) return false;
    this.#socket.send(encodeFrame(frame));
    return true;
  }

  /**
   * Closes from our side. Handlers are detached first: the caller has already
   * decided what the close means, and a dead link may never deliver a close event.
   */
  close(code: number, reason: string): void {
    this.#handlers = undefined;
    try {
      if (this.#socket.terminate && code !== 1000) this.#socket.terminate();
      else this.#socket.close(code, reason);
    } catch {
      // Closing a socket that is still CONNECTING may throw in some runtimes; it is gone either way.
    }
  }

  #message(data: unknown): void {
    if (!this.#handlers) return;
    const frame = typeof data === "string" ? decodeServerFrame(data) : undefined;
    if (frame) this.#handlers.onFrame(frame);
    else this.#handlers.onMalformed(data);
  }

  #closed(code: number, reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    handlers?.onClose(code, reason);
  }
}
