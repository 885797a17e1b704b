import { textFrame } from "./ws-frame.js";

/**
 * One server frame, or a run of them, encoded once and shared by every
 * recipient. Each transport asks for its own wire form, built lazily on first
 * use and then reused, so a fan-out to N connections costs one JSON.stringify
 * and at most one buffer per transport kind, never one per recipient.
 */
export class OutboundFrame {
  private ws: Buffer | undefined;
  private wsFramed: Buffer | undefined;
  private sse: Buffer | undefined;

  /** Prefer `OutboundFrame.of(text)` or `OutboundFrame.batch(frames)`. */
  constructor(
    readonly text: string,
    private readonly parts?: readonly OutboundFrame[],
  ) {}

  /** A single frame of this JSON text. */
  static of(text: string): OutboundFrame {
    return new OutboundFrame(text);
  }

  /**
   * Several frames sent as one unit, in order: each transport still gets
   * them as separate frames, but their wire bytes are concatenated once, so
   * a recipient costs one queued buffer instead of one per frame.
   */
  static batch(frames: readonly OutboundFrame[]): OutboundFrame {
    const [only] = frames;
    if (only && frames.length === 1) return only;
    return new OutboundFrame("", frames);
  }

  /** The JSON texts carried, in order (one unless this is a batch). */
  texts(): readonly string[] {
    return this.parts ? this.parts.map((p) => p.text) : [this.text];
  }

  /** Bytes of JSON text carried (for buffer accounting). */
  get size(): number {
    if (!this.parts) return this.text.length;
    let n = 0;
    for (const p of this.parts) n += p.text.length;
    return n;
  }

  /** UTF-8 bytes of the JSON text, for a WebSocket text frame (single frames only). */
  wsBytes(): Buffer {
    return (this.ws ??= Buffer.from(this.text, "utf8"));
  }

  /** The whole WebSocket frame(s) (header + payload): written as is to every socket. */
  wsFrame(): Buffer {
    return (this.wsFramed ??= this.parts
      ? Buffer.concat(this.parts.map((p) => p.wsFrame()))
      : textFrame(this.wsBytes()));
  }

  /** The frame(s) as SSE messages: `data: <json>\n\n` each (JSON text never contains a raw newline). */
  sseBytes(): Buffer {
    return (this.sse ??= this.parts
      ? Buffer.concat(this.parts.map((p) => p.sseBytes()))
      : Buffer.from(`data: ${this.text}\n\n`, "utf8"));
  }
}
