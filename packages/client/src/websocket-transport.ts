import { encodeFrame, type ClientFrame } from "@parley/protocol";
import {
  deliverText,
  type Transport,
  type TransportHandlers,
  type WebSocketConstructor,
  type WebSocketLike,
} from "./transport.js";

const OPEN = 1;

/**
 * One WebSocket, from open to close (see `Transport` for the lifetime rules).
 */
export class WebSocketTransport implements Transport {
  readonly kind = "websocket" as const;
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
    if (this.#handlers) deliverText(this.#handlers, data);
  }

  #closed(code: number, reason: string): void {
    const handlers = this.#handlers;
    this.#handlers = undefined;
    handlers?.onClose(code, reason);
  }
}
