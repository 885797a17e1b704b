import type { IncomingMessage, ServerResponse } from "node:http";
import type { OutboundFrame } from "./outbound-frame.js";
import type { Transport, TransportPeer } from "./transport.js";
import { decodeUtf8Strict } from "@parley/protocol";

/** Path of the SSE stream; frames are POSTed to `${SSE_PATH}/<session>`. */
export const SSE_PATH = "/v1/sse";

/**
 * One Server-Sent Events stream as a Transport. Server frames go out as
 * `data: <json>\n\n`; a close is `event: close\ndata: {"code":..,"reason":..}`
 * followed by the end of the response. Client frames arrive by POST and are
 * fed in through `deliver`.
 */
export class SseTransport implements Transport {
  readonly kind = "sse" as const;
  private closed = false;
  private peer: TransportPeer | undefined;

  /** `id` must be unguessable: knowing it is what lets a POST speak for this stream. */
  constructor(
    private readonly res: ServerResponse,
    readonly id: string,
  ) {
    res.on("close", () => this.finish(1006, "stream closed"));
    res.on("error", () => this.finish(1006, "stream error"));
  }

  /** Writes the headers and the first message, `{"t":"session","id":...}`. */
  open(headers: Record<string, string>): void {
    this.res.writeHead(200, {
      ...headers,
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    this.res.write(`data: ${JSON.stringify({ t: "session", id: this.id })}\n\n`);
  }

  send(text: string): void {
    if (!this.closed) this.res.write(`data: ${text}\n\n`);
  }

  sendFrame(frame: OutboundFrame): void {
    if (!this.closed) this.res.write(frame.sseBytes());
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.res.end(`event: close\ndata: ${JSON.stringify({ code, reason })}\n\n`);
    this.finish(code, reason);
  }

  bufferedBytes(): number {
    return this.res.writableLength;
  }

  attach(peer: TransportPeer): void {
    this.peer = peer;
  }

  /** Feeds one client frame's text, as POSTed. */
  deliver(text: string): void {
    if (!this.closed) this.peer?.onText(text);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.peer?.onTransportClose(code, reason);
  }
}

/** Why a POST body carries no frames: the HTTP refusal it gets (and the session an error frame). */
export type PostRefusal = "FRAME_TOO_LARGE" | "INVALID_UTF8" | "BAD_JSON";

/**
 * Reads a POST body of at most `maxBytes` and splits it into frame texts: the
 * body is one JSON frame, or a JSON array of frames, cut into each element's
 * own text. A body that is not JSON at all is refused whole (HTTP 400
 * BAD_JSON); a frame that is JSON but not a valid frame is the session's to answer.
 */
export async function readFrames(req: IncomingMessage, maxBytes: number): Promise<string[] | PostRefusal> {
  return framesOf(await readBody(req, maxBytes), maxBytes);
}

/** Splits a body readBody returned, as readFrames does. */
function framesOf(body: Buffer | undefined, maxBytes: number): string[] | PostRefusal {
  if (body === undefined) return [];
  if (body.length > maxBytes) return "FRAME_TOO_LARGE";
  // Same rule as a WebSocket text frame: invalid UTF-8 is refused, never replaced with U+FFFD.
  const text = decodeUtf8Strict(body);
  return text === undefined ? "INVALID_UTF8" : splitFrames(text);
}

/**
 * A POST body, or as soon as it passes `maxBytes` its first `maxBytes + 1`
 * bytes (too large: the rest is read and dropped); undefined if the request failed.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (result: Buffer | undefined): void => {
      if (!done) ((done = true), resolve(result));
    };
    req.on("data", (chunk: Buffer) => {
      if (done) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size > maxBytes) finish(Buffer.concat(chunks).subarray(0, maxBytes + 1));
    });
    req.on("end", () => finish(Buffer.concat(chunks)));
    req.on("error", () => finish(undefined));
  });
}

function splitFrames(body: string): string[] | "BAD_JSON" {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return "BAD_JSON";
  }
  return Array.isArray(parsed) ? arrayElements(body) : [body];
}

/**
 * The texts of a JSON array's elements, cut out rather than re-encoded: one
 * loop, no recursion, so a frame nested too deep reaches the session whole and
 * is refused there with its own id (JSON.stringify would overflow the stack).
 * `text` must be valid JSON.
 */
function arrayElements(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      // Skip the string; an escaped character (\" included) is skipped with its backslash.
      for (i++; text[i] !== '"'; i++) if (text[i] === "\\") i++;
    } else if (c === "[" || c === "{") {
      if (depth++ === 0) start = i + 1;
    } else if (c === "]" || c === "}") {
      if (--depth === 0) out.push(text.slice(start, i));
    } else if (c === "," && depth === 1) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  return out.map((f) => f.trim()).filter((f) => f.length > 0);
}
