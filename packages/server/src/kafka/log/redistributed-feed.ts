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
  /** Told of every record received, and its bytes (`parley_gateway_records_read_total`, `…_bytes_read_total`); `join`: a join answer. */
  readonly onRead?: (records: number, bytes: number, join: boolean) => void;
  /**
   * Start dormant (`--routing auto` reading everything): leased, so redistributors count and reach this
   * gateway, but following no room and delivering nothing of what arrives (membership changes, which the
   * events tail delivers; the answers to its appends only settle them) until `activate`.
   */
  readonly dormant?: boolean;
  /**
   * While dormant, whether a membership change of `room` is delivered out of band (as for a room not
   * followed): yes for rooms not held here, whose order nobody watches, so rule caches hear of changes
   * the events tail may not have read yet when it stops; never for a held room, whose events the tail
   * delivers in seq order. Default: none.
   */
  readonly outOfBandWhileDormant?: (room: string) => boolean;
}

/** The redistributed gateway's feed. */
export class RedistributedFeed {
  private readonly writer: InterestWriter;
  private readonly joins: RoomJoins;
  private timer: NodeJS.Timeout | undefined;
  private active: boolean;

  constructor(private readonly options: RedistributedFeedOptions) {
    this.active = !options.dormant;
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

  /** Whether it delivers (not dormant). */
  get delivering(): boolean {
    return this.active;
  }

  /**
   * Starts delivering while the events tail still runs: rooms are followed from `lastOf(room)` (the last
   * seq handed on) with live first joins, so the feeds' per-room dedupe leaves no gap at the seam.
   */
  activate(lastOf: (room: string) => number | null): void {
    this.joins.seam(lastOf);
    this.active = true;
  }

  /** The events tail stopped: rooms followed from now on are joined as usual. */
  unseam(): void {
    this.joins.seam(undefined);
  }

  /** Goes dormant: withdraws every room (the events tail delivers them now). */
  deactivate(): void {
    this.active = false;
    this.joins.clear();
  }

  /** True when every followed room is joined with no hole waiting. */
  settled(): boolean {
    return this.joins.settled();
  }

  follows(room: string): boolean {
    return this.joins.follows(room);
  }

  /** RoomJoins.markTold: a membership change of a room not followed, delivered once by whichever feed has it first. */
  markTold(event: RoomEvent): boolean {
    return this.joins.markTold(event);
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
    const join = decodeJoin(r.value, r.headers);
    this.options.onRead?.(1, recordBytes(r), join !== undefined);
    if (join) return this.active ? this.joins.onJoin(join) : undefined;
    const rec = decodeEventsRecord(r.value, r.headers);
    if (!rec) return;
    if (this.active || (rec.type === "event" && this.options.outOfBandWhileDormant?.(rec.event.room))) {
      return this.joins.onForward(rec);
    }
    // Otherwise dormant, it only settles appends (the tail may not have read their answers yet; settling twice is a no-op).
    this.options.sink.answer(rec);
  }
}
