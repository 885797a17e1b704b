import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { OutboundFrame } from "./outbound-frame.js";
import type { Transport, TransportPeer } from "./transport.js";
import { textFrameOf } from "./ws-frame.js";

/** Path of the WebSocket endpoint. */
export const WS_PATH = "/v1/ws";
/** A turn's frames are written early once they reach this size: larger batches save no syscalls worth having. */
const FLUSH_BYTES = 4 * 1024;
/** How long a closing socket may take to flush its close frame before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;

/**
 * Transports with queued frames. They are flushed together once per
 * event-loop turn, so every frame a connection gets in one turn (events of a
 * commit batch, presence joins of a subscribe storm, replies) leaves in one
 * write: one syscall instead of one per frame.
 */
let dirty: WsTransport[] = [];
let flushScheduled = false;

function flushDirty(): void {
  flushScheduled = false;
  const list = dirty;
  dirty = [];
  for (const t of list) t.flush();
}

/**
 * The ws listeners are shared functions, called with the socket as `this`;
 * the socket carries its transport under this key. An idle connection then
 * holds no closure or context for them (they were ~0.3 KiB per connection).
 */
const TRANSPORT = Symbol("parley.wsTransport");
type TaggedSocket = WebSocket & { [TRANSPORT]?: WsTransport };

/** Text frames only: a binary frame is passed on as empty text, which the session answers with BAD_JSON. */
function onWsMessage(this: TaggedSocket, data: RawData, isBinary: boolean): void {
  this[TRANSPORT]?.peer?.onText(isBinary ? "" : rawText(data));
}

function onWsClose(this: TaggedSocket, code: number, reason: Buffer): void {
  this[TRANSPORT]?.peer?.onTransportClose(code, reason.toString());
}

/** An `error` event with no listener would crash the process (e.g. 1009 on maxPayload, 1007 on bad UTF-8). */
function ignoreWsError(): void {}

/** Options of the WebSocket acceptor. */
export interface WsAcceptorOptions {
  readonly maxFrameBytes: number;
}

/** A `ws` socket as a Transport. */
export class WsTransport implements Transport {
  readonly kind = "ws" as const;
  private closing = false;
  /**
   * The socket beneath `ws`. Pre-built frames are written to it directly; this
   * is safe because without permessage-deflate ws writes synchronously and
   * never queues, so frames cannot interleave out of order with ws' own.
   */
  private readonly socket: Socket;
  /** Frames of this turn, in order; every outbound frame goes through here to keep replies and events ordered. */
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  /** Told of frames and the close; read by the shared ws listeners. */
  peer: TransportPeer | undefined;

  constructor(private readonly ws: WebSocket) {
    this.socket = (ws as unknown as { _socket: Socket })._socket;
    ws.on("error", ignoreWsError);
  }

  attach(peer: TransportPeer): void {
    this.peer = peer;
    (this.ws as TaggedSocket)[TRANSPORT] = this;
    this.ws.on("message", onWsMessage);
    this.ws.on("close", onWsClose);
  }

  send(text: string): void {
    if (!this.closing && this.ws.readyState === this.ws.OPEN) this.enqueue(textFrameOf(text));
  }

  /** The frame's bytes (header included) are shared with every other recipient; nothing is copied here. */
  sendFrame(frame: OutboundFrame): void {
    if (!this.closing && this.ws.readyState === this.ws.OPEN) this.enqueue(frame.wsFrame());
  }

  /** Sends a close frame; a peer that does not answer (e.g. a stalled reader) is destroyed after a grace period. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.flush();
    this.closing = true;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /**
   * Queued frames count as buffered, so the slow-consumer limit sees them at once. The socket's
   * own backlog is ws' `bufferedAmount` without the getter (2 % of a fan-out profile): ws adds
   * only frames it holds back while compressing or sending Blobs, and Parley does neither.
   */
  bufferedBytes(): number {
    return this.socket.writableLength + this.queuedBytes;
  }

  /** Writes this turn's frames in one write (called by the shared flusher, and before a close). */
  flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    const bytes = this.queuedBytes;
    this.queuedBytes = 0;
    if (this.ws.readyState === this.ws.OPEN && !this.socket.destroyed) {
      const [only] = queue;
      this.socket.write(only && queue.length === 1 ? only : Buffer.concat(queue, bytes));
    }
    // The array is reused: no allocation per connection per turn (write and concat are done with it).
    queue.length = 0;
  }

  private enqueue(frame: Buffer): void {
    if (this.queue.length === 0) {
      dirty.push(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushDirty);
      }
    }
    this.queue.push(frame);
    this.queuedBytes += frame.length;
    // Hands big bursts to the kernel at once, as an unbatched write would, so the slow-consumer limit sees the real backlog.
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}

/**
 * Accepts WebSocket upgrades in `noServer` mode. ws enforces `maxPayload`
 * (closing with 1009) and validates UTF-8 in text frames (closing with 1007).
 */
export class WsAcceptor {
  private readonly wss: WebSocketServer;

  constructor(options: WsAcceptorOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: options.maxFrameBytes,
    });
  }

  /** Completes the handshake and hands the socket over as a Transport. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, onOpen: (t: WsTransport) => void): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => onOpen(new WsTransport(ws)));
  }
}

/** Answers an upgrade request with a plain HTTP status and drops the socket. */
export function refuseUpgrade(socket: Duplex, status: number, text: string): void {
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  socket.destroy();
}
