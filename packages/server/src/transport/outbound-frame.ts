import { textFrame } from "./ws-frame.js";

/**
 * One server frame encoded once and shared by every recipient. Each transport
 * asks for its own wire form, built lazily on first use and then reused, so a
 * fan-out to N connections costs one JSON.stringify and at most one buffer per
 * transport kind, never one per recipient.
 */
export class OutboundFrame {
  private ws: Buffer | undefined;
  private wsFramed: Buffer | undefined;
  private sse: Buffer | undefined;

  constructor(readonly text: string) {}

  /** UTF-8 bytes of the JSON text, for a WebSocket text frame. */
  wsBytes(): Buffer {
    return (this.ws ??= Buffer.from(this.text, "utf8"));
  }

  /** The whole WebSocket frame (header + payload): written as is to every socket. */
  wsFrame(): Buffer {
    return (this.wsFramed ??= textFrame(this.wsBytes()));
  }

  /** The frame as one SSE message: `data: <json>\n\n` (JSON text never contains a raw newline). */
  sseBytes(): Buffer {
    return (this.sse ??= Buffer.from(`data: ${this.text}\n\n`, "utf8"));
  }
}
