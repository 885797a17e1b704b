import type { OutboundFrame } from "./outbound-frame.js";
import type { Transport, TransportKind } from "./transport.js";

/** An in-memory Transport for unit tests: records what was sent, lets tests inject frames and closes. */
export class FakeTransport implements Transport {
  readonly kind: TransportKind = "fake";
  readonly sent: string[] = [];
  closed: { code: number; reason: string } | undefined;
  /** Tests set this to simulate a client that stopped reading. */
  buffered = 0;
  private messageHandler: (text: string) => void = () => {};
  private closeHandler: (code: number, reason: string) => void = () => {};

  send(text: string): void {
    if (!this.closed) this.sent.push(text);
  }
  sendFrame(frame: OutboundFrame): void {
    for (const text of frame.texts()) this.send(text);
  }
  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = { code, reason };
    this.closeHandler(code, reason);
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  onMessage(handler: (text: string) => void): void {
    this.messageHandler = handler;
  }
  onClose(handler: (code: number, reason: string) => void): void {
    this.closeHandler = handler;
  }

  /** Delivers a client frame (object or raw text) as if it arrived on the wire. */
  inject(frame: unknown): void {
    this.messageHandler(typeof frame === "string" ? frame : JSON.stringify(frame));
  }
  /** Parsed frames sent so far. */
  frames(): Array<Record<string, unknown>> {
    return this.sent.map((s) => JSON.parse(s) as Record<string, unknown>);
  }
}
