/**
 * The chaos workload: publishers that also subscribe to every room from seq
 * 0, a client that leaves a room half-way, a late joiner that replays the
 * whole history while traffic flows, and "eve", whose token cannot read the
 * vault room she tries to subscribe to. Publishers send chat traffic: mostly
 * messages, and edits, reactions and deletes of acked messages, and read
 * receipts, each its own cmid retried like a message (chat-mix.ts).
 */
import { randomBytes } from "node:crypto";
import { SignJWT } from "jose";
import { ChaosClient } from "./chaos-client.js";
import type { ChaosRecorder } from "./recorder.js";
import { ChatMix } from "./chat-mix.js";

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
  private publishers: ChaosClient[] = [];
  private eve: ChaosClient | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private credit = 0;
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

  /** Unacked publishes across clients. */
  pendingCount(): number {
    return this.clients.reduce((n, c) => n + c.pendingCount, 0);
  }

  /** Closes every client. */
  stop(): void {
    this.stopPublishing();
    for (const client of this.clients) client.stop();
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

  private tick(): void {
    this.credit += ((this.options.ratePerPublisher ?? 20) * TICK_MS) / 1000;
    const whole = Math.floor(this.credit);
    this.credit -= whole;
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
}
