/**
 * Test support: a round-robin HTTP load balancer without sticky sessions,
 * in front of the gateways of a test cluster. Every new HTTP request (an SSE
 * stream's GET or a POST) goes to the next gateway in turn; a stream stays on
 * the gateway it started on and ends when that gateway dies. A gateway that
 * refuses the connection (killed) is skipped for that request, as a real
 * balancer passes a request nothing was sent for to the next upstream; a
 * gateway that fails after the request was sent answers 502. No upgrades:
 * WebSocket clients connect to the gateways themselves.
 */
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** Where one request went: the gateway's base URL (undefined: none could be reached). */
export interface BalancedRequest {
  readonly method: string;
  readonly path: string;
  readonly target: string | undefined;
}

/** One running balancer. */
export class RoundRobinBalancer {
  /** Every request, in arrival order, with the gateway it went to. */
  readonly requests: BalancedRequest[] = [];
  private next = 0;
  private readonly open = new Set<IncomingMessage>();

  private constructor(
    private readonly server: Server,
    private readonly targets: () => readonly string[],
  ) {}

  /** Listens on a free port of 127.0.0.1; `targets` gives the gateways' current base URLs on each request. */
  static async start(targets: () => readonly string[]): Promise<RoundRobinBalancer> {
    const server = createServer();
    const balancer = new RoundRobinBalancer(server, targets);
    server.on("request", (req, res) => balancer.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return balancer;
  }

  /** `http://127.0.0.1:<port>` */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The WebSocket-style URL an SDK client derives its SSE URL from (`…/v1/ws` → `…/v1/sse`). */
  get wsUrl(): string {
    return `${this.url.replace(/^http/, "ws")}/v1/ws`;
  }

  /** Requests of `method` whose path starts with `prefix`, by target. */
  countBy(method: string, prefix: string): Map<string | undefined, number> {
    const counts = new Map<string | undefined, number>();
    for (const r of this.requests)
      if (r.method === method && r.path.startsWith(prefix)) counts.set(r.target, (counts.get(r.target) ?? 0) + 1);
    return counts;
  }

  /** Stops listening and cuts every open stream. */
  async stop(): Promise<void> {
    for (const req of this.open) req.socket.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    this.open.add(req);
    res.on("close", () => this.open.delete(req));
    // The body is read first, so a request can be passed to the next gateway when one refuses the connection.
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => this.forward(req, res, Buffer.concat(chunks), this.targets().length));
  }

  /** Sends the request to the next gateway; `tries` gateways more may be tried if it refuses the connection. */
  private forward(req: IncomingMessage, res: ServerResponse, body: Buffer, tries: number): void {
    const targets = this.targets();
    const target = targets.length > 0 ? targets[this.next++ % targets.length] : undefined;
    if (!target || tries <= 0) {
      this.requests.push({ method: req.method ?? "GET", path: req.url ?? "/", target: undefined });
      return void res.writeHead(503).end();
    }
    const { connection: _c, "transfer-encoding": _t, "keep-alive": _k, ...endToEnd } = req.headers;
    const headers: Record<string, string | string[] | undefined> = { ...endToEnd, host: new URL(target).host };
    if (req.method !== "GET") headers["content-length"] = String(body.length);
    const upstream = request(`${target}${req.url ?? "/"}`, { method: req.method, headers, agent: false }, (up) => {
      this.requests.push({ method: req.method ?? "GET", path: req.url ?? "/", target });
      res.writeHead(up.statusCode ?? 502, up.headers);
      res.flushHeaders();
      up.pipe(res);
      // A gateway killed mid-stream: the client sees its stream cut, as behind a real balancer.
      up.on("error", () => res.destroy());
      up.on("aborted", () => res.destroy());
    });
    upstream.on("error", (err: NodeJS.ErrnoException) => {
      if (err.code === "ECONNREFUSED") return this.forward(req, res, body, tries - 1);
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    res.on("close", () => upstream.destroy());
    upstream.end(req.method === "GET" ? undefined : body);
  }
}
