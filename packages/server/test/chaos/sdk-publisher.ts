/**
 * A chaos publisher on the real SDK (`@parley/client/node`), beside the raw
 * protocol clients: here the outbox itself is under test. It publishes
 * faster than the server's default per-connection limit, through kill -9,
 * proxy cuts and whatever transport the SDK falls back to, and promises
 * that each room gets its messages in publish order (`PublishRecord.fifo`),
 * which the history checker verifies. On WebSocket it does not subscribe
 * (the raw clients record deliveries exactly as the server sent them); on
 * SSE (through the round-robin balancer, no sticky sessions) it also
 * subscribes to its rooms from seq 0 and records what the SDK delivers, so
 * the checker judges SSE delivery and resume too.
 */
import type { EventKind, Json, RoomEvent } from "@parley/protocol";
import { ParleyClient, type SubscribedInfo } from "@parley/client/node";
import type { PublishRecord, SubscriptionRecord } from "./history.js";
import type { ChaosRecorder } from "./recorder.js";

/** Options for {@link SdkPublisher}. */
export interface SdkPublisherOptions {
  readonly name: string;
  readonly url: string;
  readonly token: string;
  readonly recorder: ChaosRecorder;
  /** Told of each publish's ack (the workload picks edit and reaction targets from them). */
  readonly onAcked?: (record: PublishRecord, seq: number) => void;
  /** `sse`: SSE + POST only, subscribed to `rooms`. Default `websocket`, publishing only. */
  readonly transport?: "websocket" | "sse";
  /** The rooms an SSE client subscribes to (from seq 0) and records. */
  readonly rooms?: readonly string[];
}

/** Reconnects quickly and notices a dead link within the server's 500 ms heartbeats, as the raw clients do. */
const CLIENT_TUNING = { backoff: { minMs: 100, maxMs: 2_000 }, heartbeat: { timeoutMs: 3_000 } } as const;

/** One SDK client that only publishes; see the file comment. */
export class SdkPublisher {
  readonly #client: ParleyClient;
  /** Cmids handed to the outbox, in publish order: it asks for ids in the order `publish()` is called. */
  readonly #ids: string[] = [];
  readonly #subscriptions = new Map<string, SubscriptionRecord>();
  #count = 0;
  /** Publishes acked, events delivered to its subscriptions, and sessions opened (reconnects included). */
  acked = 0;
  received = 0;
  sessions = 0;

  constructor(private readonly options: SdkPublisherOptions) {
    this.#client = new ParleyClient({
      url: options.url,
      token: options.token,
      clientName: `chaos-${options.name}`,
      newId: () => this.#ids.shift() ?? `${options.name}-unexpected-${++this.#count}`,
      ...(options.transport === "sse" && { transports: ["sse" as const] }),
      ...CLIENT_TUNING,
    });
    this.#client.on("connected", () => this.sessions++);
  }

  get name(): string {
    return this.options.name;
  }

  get transport(): "websocket" | "sse" {
    return this.options.transport ?? "websocket";
  }

  /** The rooms it is subscribed to. */
  activeRooms(): string[] {
    return [...this.#subscriptions.keys()];
  }

  /** The last seq the SDK delivered in `room`. */
  lastSeq(room: string): number {
    return this.#client.room(room).lastSeq;
  }

  /** Messages in the outbox, not yet acked nor refused. */
  get pendingCount(): number {
    return this.#client.pendingMessages;
  }

  /** Connects and subscribes (SSE); reconnects and resumes by itself until {@link stop}. */
  start(): void {
    if (this.transport === "sse") for (const room of this.options.rooms ?? []) this.#subscribe(room);
    this.#client.connect().catch(() => undefined);
  }

  /** Publishes through the outbox and records it, in order, with the outcome when it comes. */
  publish(room: string, body: Json, kind: string): void {
    const cmid = `${this.name}-${++this.#count}`;
    const record = this.options.recorder.publish({ client: this.name, room, cmid, kind, body, fifo: true });
    this.#ids.push(cmid);
    this.#client
      .room(room)
      .publish(body, { kind: kind as EventKind })
      .then(
        (ack) => {
          this.acked++;
          record.acks.push(ack.seq);
          this.options.onAcked?.(record, ack.seq);
        },
        (error: Error & { code?: string }) => (record.error = error.code ?? error.message),
      );
  }

  /** Subscribes from seq 0 (the handle is made here first, so publishes reuse it) and records every delivery. */
  #subscribe(room: string): void {
    const record = this.options.recorder.subscription(this.name, room, 0, true);
    record.stayed = true;
    this.#subscriptions.set(room, record);
    const handle = this.#client.room(room, { since: 0 });
    handle.on("event", ({ seq, cmid, id }: RoomEvent) => {
      this.received++;
      record.events.push({ seq, cmid, id });
    });
    handle.on("subscribed", ({ epoch, recovered }: SubscribedInfo) => {
      record.epochs.push(epoch);
      if (!recovered) record.notRecovered++;
    });
    handle.subscribe().catch(() => undefined);
  }

  /** Closes for good; unacked messages stay in its (memory) outbox and are counted as pending. */
  stop(): void {
    this.#client.disconnect();
  }
}
