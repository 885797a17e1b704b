/**
 * Direct forwarding (`--forwarding direct`): a redistributor delivers to a
 * gateway over a long-lived WebSocket instead of the gateway's forward
 * topic. The gateway listens on a port of its own (not its client port)
 * and puts the URL and a random token in its lease on the backchannel; a
 * redistributor connects with that token (whoever can write the backchannel
 * could write the events topic too: Kafka access is the trust boundary, as
 * for the forward topic). Each send is one message, `{ id, records }`, which
 * the gateway answers `{ id }` once it handled the records, so the
 * redistributor commits only what a gateway has: the same promise as a
 * forward topic's acks=all, one broker hop less. One connection per
 * redistributor and gateway keeps each sender's order.
 */
import { randomBytes } from "node:crypto";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer, type RawData } from "ws";
import type { ForwardReceiver, ForwardRecord, ForwardSender } from "./forwarding.js";
import type { DirectInbox } from "./routing-records.js";
import { SerialQueue } from "./serial-queue.js";

type Header = readonly [Buffer | null, Buffer | null];
/** A record on the wire: base64 key, value and headers (null stays null). */
type WireRecord = [string | null, string | null, Array<[string | null, string | null]>];

const b64 = (b: Buffer | null): string | null => (b ? b.toString("base64") : null);
const unb64 = (s: string | null): Buffer | null => (s === null ? null : Buffer.from(s, "base64"));

function toWire(r: ForwardRecord): WireRecord {
  return [b64(r.key), b64(r.value), r.headers.map(([k, v]) => [b64(k), b64(v)])];
}

function fromWire([key, value, headers]: WireRecord): ForwardRecord {
  return { key: unb64(key), value: unb64(value), headers: headers.map(([k, v]): Header => [unb64(k), unb64(v)]) };
}

/** Options of DirectForwardReceiver. */
export interface DirectForwardReceiverOptions {
  /** Interface to listen on. */
  readonly listenHost: string;
  /** Host name redistributors reach this gateway at (its advertised host). */
  readonly advertiseHost: string;
}

/** A gateway's direct inbox: a WebSocket server on a port of its own. */
export class DirectForwardReceiver implements ForwardReceiver {
  private server: WebSocketServer | undefined;
  private readonly token = randomBytes(18).toString("base64url");
  private url = "";

  constructor(private readonly options: DirectForwardReceiverOptions) {}

  async start(handler: (record: ForwardRecord) => void): Promise<void> {
    const server = new WebSocketServer({
      host: this.options.listenHost,
      port: 0,
      maxPayload: 64 * 1024 * 1024,
      verifyClient: (info: { req: { headers: Record<string, string | string[] | undefined> } }) =>
        info.req.headers.authorization === `Bearer ${this.token}`,
    });
    await new Promise<void>((resolve, reject) => {
      server.once("listening", resolve);
      server.once("error", reject);
    });
    server.on("connection", (ws) => ws.on("message", (data) => this.onMessage(ws, data, handler)));
    this.server = server;
    const { port } = server.address() as AddressInfo;
    const host = this.options.advertiseHost;
    this.url = `ws://${host.includes(":") ? `[${host}]` : host}:${port}`;
  }

  direct(): DirectInbox | undefined {
    return this.server ? { url: this.url, token: this.token } : undefined;
  }

  reading(): boolean {
    return this.server !== undefined;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const ws of server.clients) ws.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private onMessage(ws: WebSocket, data: RawData, handler: (record: ForwardRecord) => void): void {
    try {
      const { id, records } = JSON.parse(String(data)) as { id: number; records: WireRecord[] };
      for (const r of records) handler(fromWire(r));
      ws.send(JSON.stringify({ id }));
    } catch {
      ws.terminate(); // not what a redistributor sends: it reconnects and sends again
    }
  }
}

/** One redistributor's connection to one gateway, with its sends awaiting their answers. */
class Link {
  private readonly ws: WebSocket;
  private readonly open: Promise<void>;
  private readonly waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  private next = 0;
  closed = false;

  constructor(inbox: DirectInbox) {
    this.ws = new WebSocket(inbox.url, { headers: { authorization: `Bearer ${inbox.token}` } });
    this.open = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.open.catch(() => undefined); // a failed open rejects the send that awaits it
    this.ws.on("message", (data) => {
      const { id } = JSON.parse(String(data)) as { id: number };
      this.waiting.get(id)?.resolve();
      this.waiting.delete(id);
    });
    this.ws.on("close", () => this.fail(new Error(`direct forwarding to ${inbox.url} closed`)));
    this.ws.on("error", (err) => this.fail(err));
  }

  async send(records: readonly ForwardRecord[]): Promise<void> {
    await this.open;
    const id = this.next++;
    const answered = new Promise<void>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.ws.send(JSON.stringify({ id, records: records.map(toWire) }));
    await answered;
  }

  close(): void {
    this.ws.terminate();
  }

  private fail(err: Error): void {
    this.closed = true;
    for (const w of this.waiting.values()) w.reject(err);
    this.waiting.clear();
  }
}

/**
 * A redistributor's direct sends. `inboxOf` says where a gateway takes them
 * (its lease); a send to a gateway without one goes to `fallback` (its
 * forward topic), so gateways of both kinds can share redistributors.
 */
export class DirectForwardSender implements ForwardSender {
  private readonly links = new Map<string, { inbox: DirectInbox; link: Link }>();
  private readonly queue = new SerialQueue();

  constructor(
    private readonly inboxOf: (gateway: string) => DirectInbox | undefined,
    private readonly fallback: ForwardSender,
  ) {}

  send(gateway: string, records: readonly ForwardRecord[]): Promise<void> {
    const inbox = this.inboxOf(gateway);
    if (!inbox) return this.fallback.send(gateway, records);
    if (records.length === 0) return Promise.resolve();
    // One at a time per gateway: a failed send is retried by the caller before anything after it goes.
    return this.queue.run(gateway, () => this.linkTo(gateway, inbox).send(records));
  }

  async close(): Promise<void> {
    for (const { link } of this.links.values()) link.close();
    this.links.clear();
    await this.fallback.close();
  }

  /** The open link to `gateway`, a new one after a failure or when its lease names a new inbox. */
  private linkTo(gateway: string, inbox: DirectInbox): Link {
    const current = this.links.get(gateway);
    if (current && !current.link.closed && current.inbox.url === inbox.url && current.inbox.token === inbox.token) {
      return current.link;
    }
    current?.link.close();
    const link = new Link(inbox);
    this.links.set(gateway, { inbox, link });
    return link;
  }
}
