/**
 * The chaos workload: publishers that also subscribe to every room from seq
 * 0, a client that leaves a room half-way, a late joiner that replays the
 * whole history while traffic flows, and "eve", whose token cannot read the
 * vault room she tries to subscribe to. Publishers send chat traffic: mostly
 * messages, and edits, reactions and deletes of acked messages, and read
 * receipts, each its own cmid retried like a message (chat-mix.ts).
 * Beside them, publishers on the real SDK (sdk-publisher.ts) send the same
 * mix faster than the server's default per-connection limit, and promise
 * each room their publish order; when the target has an SSE URL (a
 * round-robin balancer, no sticky sessions), SDK clients on SSE also
 * publish there and subscribe to every room.
 */
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import type { Json } from "@parley/protocol";
import { ChaosClient } from "./chaos-client.js";
import type { ChaosRecorder } from "./recorder.js";
import { ChatMix } from "./chat-mix.js";
import { SdkPublisher } from "./sdk-publisher.js";

/** Options for {@link Workload}. */
export interface WorkloadOptions {
  readonly url: (index: number) => string;
  readonly jwtSecret: string;
  readonly recorder: ChaosRecorder;
  /** Open rooms (plus one vault room). Default 3. */
  readonly rooms?: number;
  /** Publishing clients. Default 5. */
  readonly publishers?: number;
  /** Messages per second per publisher. Default 20. */
  readonly ratePerPublisher?: number;
  /** Unacked messages a publisher keeps at most. Default 20. */
  readonly maxInFlight?: number;
  /** Publishers on the SDK. Default 1. */
  readonly sdkPublishers?: number;
  /** Messages per second per SDK publisher: above the default limit (50/s per connection). Default 60. */
  readonly sdkRatePerPublisher?: number;
  /** Messages an SDK publisher's outbox holds at most before it stops adding (bounds the final drain). Default 200. */
  readonly sdkMaxPending?: number;
  /** Where SDK clients on SSE connect (their `url`, from which the SDK derives the SSE URL); absent: none. */
  readonly sseUrl?: string;
  /** SDK clients on SSE, publishing and subscribed to every room. Default 2 (with `sseUrl`). */
  readonly sseClients?: number;
  /** Messages per second per SSE client. Default 20. */
  readonly sseRatePerClient?: number;
}

const MEMBER_CAPS = { "open-*": ["*"], "vault-*": ["*"] };
const EVE_CAPS = { "open-*": ["*"] };
const TICK_MS = 50;

/** Mints an HS256 token with `caps`, valid for a day. */
export function mintChaosToken(secret: string, user: string, caps: Record<string, string[]>): Promise<string> {
  return new SignJWT({ caps })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime("24h")
    .sign(new TextEncoder().encode(secret));
}

/** A running workload. */
export class Workload {
  readonly rooms: string[];
  readonly vault: string;
  readonly clients: ChaosClient[] = [];
  readonly sdkPublishers: SdkPublisher[] = [];
  private publishers: ChaosClient[] = [];
  private eve: ChaosClient | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private credit = 0;
  /** Fractional publishes owed to each SDK client at its rate. */
  private readonly sdkCredit = new Map<SdkPublisher, number>();
  private memberToken = "";
  private readonly mix = new ChatMix();

  constructor(private readonly options: WorkloadOptions) {
    const run = randomBytes(4).toString("hex");
    this.rooms = Array.from({ length: options.rooms ?? 3 }, (_, i) => `open-${run}-${i}`);
    this.vault = `vault-${run}`;
  }

  /** Every room whose history is checked. */
  get allRooms(): string[] {
    return [...this.rooms, this.vault];
  }

  /** Starts the publishers, the leaver and eve, and the publish ticker. */
  async start(): Promise<void> {
    this.memberToken = await mintChaosToken(this.options.jwtSecret, "member", MEMBER_CAPS);
    for (let i = 0; i < (this.options.publishers ?? 5); i++) this.publishers.push(this.member(`pub${i}`));
    for (let i = 0; i < (this.options.sdkPublishers ?? 1); i++) this.sdkPublisher(`sdk${i}`);
    const sseClients = this.options.sseUrl ? (this.options.sseClients ?? 2) : 0;
    for (let i = 0; i < sseClients; i++) this.sdkPublisher(`sse${i}`, "sse");
    this.member("leaver");
    const eveToken = await mintChaosToken(this.options.jwtSecret, "eve", EVE_CAPS);
    this.eve = this.add("eve", eveToken, (room) => !room.startsWith("vault-"));
    this.ticker = setInterval(() => this.tick(), TICK_MS);
  }

  /** The leaver unsubscribes from the first room for good. */
  leaveOne(): void {
    this.clients.find((c) => c.name === "leaver")?.leave(this.rooms[0]!);
  }

  /** A member that joins late and replays everything so far while traffic flows. */
  lateJoiner(): void {
    this.member("late");
  }

  /** A resume fault: a random client drops its own connection. */
  dropRandomClient(): boolean {
    return this.clients[Math.floor(Math.random() * this.clients.length)]?.dropConnection() ?? false;
  }

  /** Stops publishing new messages (retries of queued ones go on). */
  stopPublishing(): void {
    clearInterval(this.ticker);
  }

  /** Every client that subscribes: the raw ones and the SDK clients on SSE. */
  subscribers(): Array<Pick<ChaosClient, "activeRooms" | "lastSeq">> {
    return [...this.clients, ...this.sdkPublishers.filter((p) => p.transport === "sse")];
  }

  /** Unacked publishes across clients. */
  pendingCount(): number {
    const sdk = this.sdkPublishers.reduce((n, p) => n + p.pendingCount, 0);
    return this.clients.reduce((n, c) => n + c.pendingCount, sdk);
  }

  /** Closes every client. */
  stop(): void {
    this.stopPublishing();
    for (const client of this.clients) client.stop();
    for (const publisher of this.sdkPublishers) publisher.stop();
  }

  private member(name: string): ChaosClient {
    return this.add(name, this.memberToken, () => true);
  }

  private add(name: string, token: string, mayRead: (room: string) => boolean): ChaosClient {
    const index = this.clients.length;
    const url = (): string => this.options.url(index);
    const onAcked = this.mix.onAcked;
    const client = new ChaosClient({ name, url, token, recorder: this.options.recorder, mayRead, onAcked });
    this.clients.push(client);
    client.start();
    for (const room of this.allRooms) client.subscribe(room);
    return client;
  }

  private sdkPublisher(name: string, transport: "websocket" | "sse" = "websocket"): void {
    const { recorder, sseUrl } = this.options;
    const url =
      transport === "sse" && sseUrl ? sseUrl : this.options.url(this.clients.length + this.sdkPublishers.length);
    const rooms = this.allRooms;
    const onAcked = this.mix.onAcked;
    const publisher = new SdkPublisher({ name, url, token: this.memberToken, recorder, onAcked, transport, rooms });
    this.sdkPublishers.push(publisher);
    publisher.start();
  }

  private tick(): void {
    this.credit += ((this.options.ratePerPublisher ?? 20) * TICK_MS) / 1000;
    const whole = Math.floor(this.credit);
    this.credit -= whole;
    this.sdkTick();
    const rooms = this.allRooms;
    // Eve now and then tries to write into the vault: refused, and never stored (checked).
    if (Math.random() < 0.05) this.eve?.publish(this.vault, { intrusion: true });
    for (const client of this.publishers) {
      for (let i = 0; i < whole && client.pendingCount < (this.options.maxInFlight ?? 20); i++) {
        const room = rooms[Math.floor(Math.random() * rooms.length)]!;
        const { kind, body } = this.mix.next(room);
        client.publish(room, body, kind);
      }
    }
  }

  private sdkTick(): void {
    const rooms = this.allRooms;
    for (const publisher of this.sdkPublishers) {
      const rate =
        publisher.transport === "sse"
          ? (this.options.sseRatePerClient ?? 20)
          : (this.options.sdkRatePerPublisher ?? 60);
      const credit = (this.sdkCredit.get(publisher) ?? 0) + (rate * TICK_MS) / 1000;
      const whole = Math.floor(credit);
      this.sdkCredit.set(publisher, credit - whole);
      for (let i = 0; i < whole && publisher.pendingCount < (this.options.sdkMaxPending ?? 200); i++) {
        const room = rooms[Math.floor(Math.random() * rooms.length)]!;
        const { kind, body } = this.mix.next(room);
        publisher.publish(room, body as Json, kind);
      }
    }
  }
}
