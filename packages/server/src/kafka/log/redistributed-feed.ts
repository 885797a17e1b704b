/**
 * Where a gateway with `--routing redistributed` gets its events: not the
 * events topic, but what redistributors forward to it for the rooms it
 * follows (room-joins.ts), plus the answers to its own appends and every
 * membership change. The backchannel carries its interest (interest-writer.ts).
 */
import type { RoomEvent } from "@parley/protocol";
import { recordBytes, type ForwardReceiver, type ForwardRecord } from "../forwarding.js";
import { decodeEventsRecord } from "../records.js";
import { decodeJoin } from "../routing-records.js";
import type { KafkaClusterOptions } from "../topics.js";
import { InterestWriter } from "./interest-writer.js";
import { RoomJoins, type JoinSink } from "./room-joins.js";

/** Timings of redistributed routing on a gateway. */
export interface RoutingTimings {
  /** The gateway's lease on its interest. Default 10 000 ms. */
  readonly leaseMs?: number;
  /** How long a room stays followed after its last use. Default 30 000 ms. */
  readonly lingerMs?: number;
  /** A join not answered within this long is declared again. Default 1000 ms. */
  readonly redeclareMs?: number;
  /** How long an append or read waits for a room's join. Default 10 000 ms. */
  readonly joinWaitMs?: number;
}

/** Options of RedistributedFeed. */
export interface RedistributedFeedOptions extends RoutingTimings {
  readonly cluster: KafkaClusterOptions;
  readonly gatewayId: string;
  readonly receiver: ForwardReceiver;
  readonly sink: JoinSink;
  readonly fill: (room: string, after: number, before: number) => Promise<RoomEvent[]>;
  readonly onError?: (err: unknown) => void;
  /** Told of every record received, and its bytes (`parley_gateway_records_read_total`, `…_bytes_read_total`). */
  readonly onRead?: (records: number, bytes: number) => void;
}

/** The redistributed gateway's feed. */
export class RedistributedFeed {
  private readonly writer: InterestWriter;
  private readonly joins: RoomJoins;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: RedistributedFeedOptions) {
    const { cluster, gatewayId, onError } = options;
    this.writer = new InterestWriter({
      cluster,
      gateway: gatewayId,
      leaseMs: options.leaseMs ?? 10_000,
      direct: () => options.receiver.direct?.(),
      onLapse: () => this.joins.rejoinAll(),
      onError,
    });
    this.joins = new RoomJoins({
      declare: (room, after) => this.writer.declare(room, after),
      withdraw: (room) => this.writer.withdraw(room),
      sink: options.sink,
      lingerMs: options.lingerMs ?? 30_000,
      redeclareMs: options.redeclareMs ?? 1000,
      waitMs: options.joinWaitMs ?? 10_000,
      fill: options.fill,
      onError,
    });
  }

  /** Opens the forward inbox, then announces this gateway (redistributors send only to a leased gateway). */
  async start(): Promise<void> {
    await this.options.receiver.start((r) => this.onRecord(r));
    await this.writer.start();
    this.timer = setInterval(() => this.joins.sweep(), 250);
    this.timer.unref();
  }

  want(room: string): Promise<void> {
    return this.joins.want(room);
  }

  hold(room: string): () => void {
    return this.joins.hold(room);
  }

  reading(): boolean {
    return this.options.receiver.reading() && this.writer.leased();
  }

  async close(err: unknown): Promise<void> {
    clearInterval(this.timer);
    this.joins.close(err);
    await this.writer.close();
    await this.options.receiver.close();
  }

  private onRecord(r: ForwardRecord): void {
    this.options.onRead?.(1, recordBytes(r));
    const join = decodeJoin(r.value, r.headers);
    if (join) return this.joins.onJoin(join);
    const rec = decodeEventsRecord(r.value, r.headers);
    if (rec) this.joins.onForward(rec);
  }
}
