// A tiny HTTP reverse proxy in front of a real server that, like some corporate
// proxies, refuses WebSocket upgrades (403) while passing plain HTTP, streaming
// responses included, so SSE works through it.
import { once } from "node:events";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";
import type { Duplex } from "node:stream";

export class WebSocketBlockingProxy {
  /** When false, upgrades are tunnelled to the server like everything else. */
  blockUpgrades = true;
  /** Upgrade requests refused so far. */
  refused = 0;
  readonly #sockets = new Set<Duplex>();

  private constructor(
    private readonly server: Server,
    private readonly targetPort: () => number,
  ) {}

  /** Listens on a free port, forwarding to 127.0.0.1:`targetPort()` (read per request: it survives restarts). */
  static async start(targetPort: () => number): Promise<WebSocketBlockingProxy> {
    const server = createServer();
    const proxy = new WebSocketBlockingProxy(server, targetPort);
    server.on("request", (req, res) => proxy.#forward(req, res));
    server.on("upgrade", (req, socket: Duplex, head: Buffer) => proxy.#upgrade(req, socket, head));
    server.on("connection", (socket: Socket) => proxy.#track(socket));
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    return proxy;
  }

  /** The WebSocket URL a client should use; SSE is derived from it. */
  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1/ws`;
  }

  /** Cuts every connection through the proxy, as a network change would. */
  dropAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  async stop(): Promise<void> {
    this.dropAll();
    this.server.close();
    await once(this.server, "close");
  }

  #track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.once("close", () => this.#sockets.delete(socket));
  }

  #forward(req: IncomingMessage, res: ServerResponse): void {
    const upstream = request(
      { host: "127.0.0.1", port: this.targetPort(), method: req.method, path: req.url, headers: req.headers },
      (upRes) => {
        res.writeHead(upRes.statusCode ?? 502, upRes.headers);
        upRes.pipe(res);
        upRes.on("error", () => res.destroy());
      },
    );
    upstream.on("socket", (socket) => this.#track(socket));
    upstream.on("error", () => res.destroy());
    res.on("close", () => upstream.destroy());
    req.pipe(upstream);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.blockUpgrades) {
      this.refused++;
      socket.end("HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
      return;
    }
    const upstream = connect(this.targetPort(), "127.0.0.1");
    this.#track(upstream);
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join("\r\n")}\r\n\r\n`);
    upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
    upstream.on("error", () => socket.destroy());
    socket.on("error", () => upstream.destroy());
    upstream.on("close", () => socket.destroy());
    socket.on("close", () => upstream.destroy());
  }
}
