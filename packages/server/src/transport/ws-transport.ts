import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import type { OutboundFrame } from "./outbound-frame.js";
import type { Transport } from "./transport.js";

/** Path of the WebSocket endpoint. */
export const WS_PATH = "/v1/ws";
/** How long a closing socket may take to flush its close frame before it is destroyed. */
const CLOSE_GRACE_MS = 2_000;
/** Shared send options: a Buffer payload sent as a text frame (ws does not copy it). */
const TEXT = { binary: false } as const;

/** Options of the WebSocket acceptor. */
export interface WsAcceptorOptions {
  readonly maxFrameBytes: number;
}

/** A `ws` socket as a Transport. */
export class WsTransport implements Transport {
  readonly kind = "ws" as const;
  private closing = false;

  constructor(private readonly ws: WebSocket) {
    // An `error` event with no listener would crash the process (e.g. 1009 on maxPayload, 1007 on bad UTF-8).
    ws.on("error", () => {});
  }

  send(text: string): void {
    if (!this.closing && this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  sendFrame(frame: OutboundFrame): void {
    if (!this.closing && this.ws.readyState === this.ws.OPEN) this.ws.send(frame.wsBytes(), TEXT);
  }

  /** Sends a close frame; a peer that does not answer (e.g. a stalled reader) is destroyed after a grace period. */
  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.ws.close(code, reason);
    setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  bufferedBytes(): number {
    return this.ws.bufferedAmount;
  }

  /** Text frames only: a binary frame is passed on as empty text, which the session answers with BAD_JSON. */
  onMessage(handler: (text: string) => void): void {
    this.ws.on("message", (data: RawData, isBinary: boolean) => handler(isBinary ? "" : rawText(data)));
  }

  onClose(handler: (code: number, reason: string) => void): void {
    this.ws.on("close", (code: number, reason: Buffer) => handler(code, reason.toString()));
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
