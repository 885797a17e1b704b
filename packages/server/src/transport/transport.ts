import type { OutboundFrame } from "./outbound-frame.js";

/** The transport kinds a gateway serves; also the `transport` metrics label. */
export type TransportKind = "ws" | "sse" | "fake";

/**
 * A bidirectional text-frame link to one client, beneath a gateway session.
 *
 * Contract: `onMessage` receives one client frame's text per call, in order.
 * `onClose` fires exactly once, whether the client or the server closed.
 * After `close`, `send` is a no-op. `bufferedBytes` is what the transport has
 * accepted but not yet handed to the kernel; the gateway cuts off a
 * connection whose buffer exceeds `maxBufferedBytes`.
 */
export interface Transport {
  readonly kind: TransportKind;
  /** Sends one frame's text (used for per-connection replies). */
  send(text: string): void;
  /** Sends a frame encoded once for many recipients (the fan-out path). */
  sendFrame(frame: OutboundFrame): void;
  /** Closes with a Parley close code; the reason is a short ASCII string. */
  close(code: number, reason: string): void;
  bufferedBytes(): number;
  onMessage(handler: (text: string) => void): void;
  onClose(handler: (code: number, reason: string) => void): void;
}
