/**
 * A local stand-in for a browser push service (FCM, Mozilla autopush): an
 * HTTPS server on 127.0.0.1 with a throwaway self-signed certificate. Each
 * subscription it hands out has its own endpoint; every POST to one is
 * checked (VAPID, `aes128gcm`) and decrypted with the browser's private key,
 * as a browser would, by push-crypto.ts. The server under test trusts the
 * certificate through NODE_EXTRA_CA_CERTS.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { browserKeys, decryptWebPush, verifyVapid, type BrowserKeys, type VapidClaims } from "./push-crypto.js";

/** One push as the browser would see it, after every check passed. */
export interface ReceivedPush {
  readonly subscription: string;
  readonly payload: unknown;
  readonly vapid: VapidClaims;
  readonly ttl: string | undefined;
}

/** A push the service refused or could not verify (a test failure). */
export interface RejectedPush {
  readonly subscription: string;
  readonly error: string;
}

/** What `subscribe` returns: the PushSubscription JSON a browser would POST. */
export interface BrowserSubscription {
  readonly id: string;
  readonly endpoint: string;
  readonly keys: { readonly p256dh: string; readonly auth: string };
}

type Waiter = { pred: (p: ReceivedPush) => boolean; resolve: (p: ReceivedPush) => void };

/** The local push service. */
export class LocalPushService {
  readonly received: ReceivedPush[] = [];
  readonly rejected: RejectedPush[] = [];
  /** Every request, answered or not, by subscription id. */
  readonly hits = new Map<string, number>();
  private readonly keys = new Map<string, BrowserKeys>();
  private readonly gone = new Set<string>();
  private readonly waiters = new Set<Waiter>();
  private port = 0;

  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    /** PEM file of the certificate, for NODE_EXTRA_CA_CERTS. */
    readonly caFile: string,
  ) {}

  /** Makes a certificate for 127.0.0.1 and listens on a free port. */
  static async start(): Promise<LocalPushService> {
    const dir = mkdtempSync(join(tmpdir(), "parley-push-"));
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync(
      "openssl",
      [
        ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
        ...["-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1"],
        ...["-addext", "subjectAltName=IP:127.0.0.1"],
      ],
      { stdio: "ignore" },
    );
    const server = createServer({ key: readFileSync(key), cert: readFileSync(cert) });
    const service = new LocalPushService(server, dir, cert);
    server.on("request", (req, res) => void service.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    service.port = (server.address() as AddressInfo).port;
    return service;
  }

  get origin(): string {
    return `https://127.0.0.1:${this.port}`;
  }

  /** A new subscription, as `pushManager.subscribe` would create it in a browser. */
  subscribe(): BrowserSubscription {
    const id = randomUUID();
    const keys = browserKeys();
    this.keys.set(id, keys);
    const endpoint = `${this.origin}/push/${id}`;
    return {
      id,
      endpoint,
      keys: { p256dh: keys.publicKey.toString("base64url"), auth: keys.auth.toString("base64url") },
    };
  }

  /** From now on the endpoint answers 410 Gone, as for an unsubscribed browser. */
  expire(id: string): void {
    this.gone.add(id);
  }

  /** The next (or an already received) push matching `pred`. */
  next(pred: (p: ReceivedPush) => boolean, timeoutMs = 10_000): Promise<ReceivedPush> {
    const seen = this.received.find(pred);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new Error(`no matching push within ${timeoutMs} ms; rejected: ${JSON.stringify(this.rejected)}`));
      }, timeoutMs);
      const waiter: Waiter = { pred, resolve: (p) => (clearTimeout(timer), resolve(p)) };
      this.waiters.add(waiter);
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = /^\/push\/([\w-]+)$/.exec(req.url ?? "")?.[1] ?? "";
    this.hits.set(id, (this.hits.get(id) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const keys = this.keys.get(id);
    if (!keys || req.method !== "POST") return void res.writeHead(404).end();
    if (this.gone.has(id)) return void res.writeHead(410).end();
    try {
      this.accept(id, req, keys, Buffer.concat(chunks));
      res.writeHead(201).end();
    } catch (err) {
      this.rejected.push({ subscription: id, error: (err as Error).message });
      res.writeHead(400).end((err as Error).message);
    }
  }

  private accept(id: string, req: IncomingMessage, keys: BrowserKeys, body: Buffer): void {
    if (req.headers["content-encoding"] !== "aes128gcm") throw new Error("Content-Encoding must be aes128gcm");
    if (body.length > 4096) throw new Error(`payload of ${body.length} bytes exceeds 4096`);
    const vapid = verifyVapid(req.headers.authorization, this.origin);
    const payload: unknown = JSON.parse(decryptWebPush(body, keys).toString("utf8"));
    const push: ReceivedPush = { subscription: id, payload, vapid, ttl: req.headers.ttl as string | undefined };
    this.received.push(push);
    for (const w of this.waiters) {
      if (w.pred(push)) {
        this.waiters.delete(w);
        w.resolve(push);
      }
    }
  }
}
