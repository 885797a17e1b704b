import type { OutboundFrame } from "./outbound-frame.js";

/** The transport kinds a gateway serves; also the `transport` metrics label. */
export type TransportKind = "ws" | "sse";

/** What a transport reports to (the gateway session), attached once. */
export interface TransportPeer {
  /** One client frame's text, in order. */
  onText(text: string): void;
  /** The link closed, whether the client or the server closed it; called exactly once. */
  onTransportClose(code: number, reason: string): void;
}

/**
 * A bidirectional text-frame link to one client, beneath a gateway session.
 *
 * Contract: after `attach(peer)`, `peer.onText` receives one client frame's
 * text per call, in order, and `peer.onTransportClose` fires exactly once,
 * whether the client or the server closed. The peer is an object rather than
 * two callbacks so an idle connection holds no closures for it.
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
  /** Starts reporting to `peer`; called once, right after the transport is opened. */
  attach(peer: TransportPeer): void;
}
