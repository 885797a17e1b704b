/**
 * A chaos publisher on the real SDK (`@parley/client/node`), beside the raw
 * protocol clients: here the outbox itself is under test. It publishes
 * faster than the server's default per-connection limit, through kill -9,
 * proxy cuts and whatever transport the SDK falls back to, and promises
 * that each room gets its messages in publish order (`PublishRecord.fifo`),
 * which the history checker verifies. It does not subscribe: the raw
 * clients record deliveries exactly as the server sent them.
 */
import type { EventKind, Json } from "@parley/protocol";
import { ParleyClient } from "@parley/client/node";
import type { PublishRecord } from "./history.js";
import type { ChaosRecorder } from "./recorder.js";

/** Options for {@link SdkPublisher}. */
export interface SdkPublisherOptions {
  readonly name: string;
  readonly url: string;
  readonly token: string;
  readonly recorder: ChaosRecorder;
  /** Told of each publish's ack (the workload picks edit and reaction targets from them). */
  readonly onAcked?: (record: PublishRecord, seq: number) => void;
}

/** Reconnects quickly and notices a dead link within the server's 500 ms heartbeats, as the raw clients do. */
const CLIENT_TUNING = { backoff: { minMs: 100, maxMs: 2_000 }, heartbeat: { timeoutMs: 3_000 } } as const;

/** One SDK client that only publishes; see the file comment. */
export class SdkPublisher {
  readonly #client: ParleyClient;
  /** Cmids handed to the outbox, in publish order: it asks for ids in the order `publish()` is called. */
  readonly #ids: string[] = [];
  #count = 0;

  constructor(private readonly options: SdkPublisherOptions) {
    this.#client = new ParleyClient({
      url: options.url,
      token: options.token,
      clientName: `chaos-${options.name}`,
      newId: () => this.#ids.shift() ?? `${options.name}-unexpected-${++this.#count}`,
      ...CLIENT_TUNING,
    });
  }

  get name(): string {
    return this.options.name;
  }

  /** Messages in the outbox, not yet acked nor refused. */
  get pendingCount(): number {
    return this.#client.pendingMessages;
  }

  /** Connects; reconnects by itself until {@link stop}. */
  start(): void {
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
          record.acks.push(ack.seq);
          this.options.onAcked?.(record, ack.seq);
        },
        (error: Error & { code?: string }) => (record.error = error.code ?? error.message),
      );
  }

  /** Closes for good; unacked messages stay in its (memory) outbox and are counted as pending. */
  stop(): void {
    this.#client.disconnect();
  }
}
