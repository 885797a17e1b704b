import type { OutboundFrame } from "#server/transport/outbound-frame.js";
import type { Transport, TransportKind, TransportPeer } from "#server/transport/transport.js";

/** An in-memory Transport for unit tests: records what was sent, lets tests inject frames and closes. */
export class FakeTransport implements Transport {
  /** A product kind (the metrics label): the fake stands in for a WebSocket, one text frame per send. */
  readonly kind: TransportKind = "ws";
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Tests set this to simulate a client that stopped reading. */
  buffered = 0;
  private peer: TransportPeer | undefined;

  send(text: string): void {
    if (!this.closed) this.sent.push(text);
  }
  sendFrame(frame: OutboundFrame): void {
    for (const text of frame.texts()) this.send(text);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.peer?.onTransportClose(code, reason);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  attach(peer: TransportPeer): void {
    this.peer = peer;
  }

  /** Delivers a client frame (object or raw text) as if it arrived on the wire. */
  inject(frame: unknown): void {
    this.peer?.onText(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  /** Parsed frames sent so far. */
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}
