import { decodeServerFrame, type ClientFrame, type ServerFrame } from "@parley/protocol";

/** The ways a client can reach a server, in the order `transports` lists them. */
export type TransportKind = "websocket" | "sse";

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

/** Callbacks from one transport's lifetime; none fires after `close()` was called. */
export interface TransportHandlers {
  onOpen(): void;
  onFrame(frame: ServerFrame): void;
  onClose(code: number, reason: string): void;
  /** A text that did not decode as a server frame. */
  onMalformed(data: unknown): void;
}

/**
 * One connection attempt's link to the server, from open to close. A transport
 * is never reused: each (re)connect attempt gets a new one, so late events of
 * an old link cannot leak into a new session. `onOpen` fires once, when frames
 * can be sent; `onClose` fires at most once, with a WebSocket close code
 * (1006 when the link broke without one), and only when the close did not
 * come from `close()`.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Sends (or queues, in order) a frame; false when the transport is not open yet or already closed. */
  send(frame: ClientFrame): boolean;
  /** Closes from our side; handlers are detached first, since the caller has already decided what the close means. */
  close(code: number, reason: string): void;
}

/** Hands one received text to the handlers: a server frame, or malformed. */
export function deliverText(handlers: TransportHandlers, data: unknown): void {
  const frame = typeof data === "string" ? decodeServerFrame(data) : undefined;
  if (frame) handlers.onFrame(frame);
  else handlers.onMalformed(data);
}
