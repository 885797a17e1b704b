/**
 * A real webhook receiver on 127.0.0.1 for tests: records every POST (raw
 * body and headers) and answers 200, or 500 while told to fail.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST as received, and what it was answered. */
export interface ReceivedHook {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawBody: string;
  readonly status: number;
}

export class WebhookReceiver {
  readonly received: ReceivedHook[] = [];
  /** Answers 500 to this many more requests. */
  failures = 0;
  private waiters = new Set<() => void>();

  private constructor(private readonly server: Server) {}

  static async start(): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server);
    server.on("request", (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = receiver.failures > 0 ? 500 : 200;
        if (status === 500) receiver.failures--;
        const rawBody = Buffer.concat(chunks).toString("utf8");
        receiver.received.push({ path: req.url ?? "", headers: req.headers, rawBody, status });
        res.writeHead(status).end();
        for (const w of receiver.waiters) w();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return receiver;
  }

  /** A URL on this receiver; `path` tells hooks apart. */
  url(path: string): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`;
  }

  /** The requests for `path`. */
  at(path: string): ReceivedHook[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Waits until `pred` holds over what was received. */
  async until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`webhook receiver: ${what} not within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const done = () => (this.waiters.delete(done), clearTimeout(timer), resolve());
        const timer = setTimeout(done, 100);
        this.waiters.add(done);
      });
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
