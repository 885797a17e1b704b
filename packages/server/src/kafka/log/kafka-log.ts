/**
 * KafkaLog: the EventLog of a cluster gateway.
 *
 * Public constructor (for composition in `parley start --role gateway|all`):
 *
 *   new KafkaLog(options: KafkaLogOptions)
 *     options.cluster: KafkaClusterOptions   // { brokers, topicPrefix?, partitions?, replication?, clientId? }
 *     options.history: HistorySource         // kafka/history-source.ts; PostgreSQL in production
 *     options.gatewayId?, appendTimeoutMs?, recentPerRoom?, recentTotal?, warmupPerPartition?,
 *     options.closeGraceMs?, historyWaitMs?, onListenerError?
 *   await log.start()   // creates missing topics, warms the recent buffer, then reads live
 *   log.ready()         // false while the events tail does not read every partition (/readyz)
 *
 * How it keeps the EventLog contract (log/event-log.ts):
 * - append produces the command to `<prefix>commands` (idempotent producer,
 *   acks=all) with a request id `<gatewayId>:<n>`, and resolves when the
 *   sequencer's answer for that request id comes back on `<prefix>events`:
 *   the new event, or a duplicate marker carrying the original event.
 * - Routing `everything` (the default): the gateway reads every events
 *   partition (read_committed), so per room it sees events in seq order, and
 *   calls listeners before resolving. Routing `redistributed`: it reads only
 *   what redistributors forward for the rooms it follows (RedistributedFeed,
 *   docs/cluster.md "Routing"); an append, read or head first follows the
 *   room (`interest` holds one for a subscriber), so the contract holds for
 *   every room this process uses. Routing `auto`: both, one at a time, with
 *   a handover where both run and the recent buffer's per-room last seq
 *   drops the second copy (feed-switch.ts, auto-routing.ts).
 * - Reads and heads come from the HistorySource (the sink's tables) plus a
 *   bounded recent-events buffer fed by this gateway's own consumption, so
 *   a lagging sink never causes a gap.
 * - Epochs are derived from the events topic id (topics.ts roomEpoch).
 */
import { randomBytes } from "node:crypto";
import { ParleyError, type RoomEvent } from "@parley/protocol";
import { ProduceAcks, Producer } from "@platformatic/kafka";
import { EventListeners, type ListenerErrorHandler } from "../../log/event-listeners.js";
import {
  duplicateOutcome,
  type AppendResult,
  type EventListener,
  type EventLog,
  type PublishCommand,
  type RoomHead,
} from "../../log/event-log.js";
import { waitForHead } from "../../log/wait-for-head.js";
import { latencyTrace } from "../../metrics/latency-trace.js";
import { closeForced } from "../close-client.js";
import { EventsTail, type EventsHandler, type EventsTailOptions } from "./events-tail.js";
import { KafkaForwardReceiver } from "../kafka-forwarding.js";
import type { ForwardReceiver } from "../forwarding.js";
import { RedistributedFeed, type RoutingTimings } from "./redistributed-feed.js";
import { AutoRouting, EventsEnd, type AutoRoutingSettings } from "./auto-routing.js";
import { FeedSwitch } from "./feed-switch.js";
import { LiveFigures } from "../routing/live-figures.js";
import type { EventRecord, JoinSink } from "./room-joins.js";
import type { HistorySource } from "../../log/history-source.js";
import { RecentBuffer } from "./recent-buffer.js";
import { encodeCommand, type EventsRecord, type OutRecord } from "../records.js";
import { ensureTopics, partitionFor, roomEpoch, type KafkaClusterOptions, type TopicLayout } from "../topics.js";
import { readMerged, readBeforeMerged } from "./merged-read.js";

/** Options of KafkaLog. */
export interface KafkaLogOptions {
  readonly cluster: KafkaClusterOptions;
  readonly history: HistorySource;
  /** This gateway's id in request ids. Default: random. */
  readonly gatewayId?: string;
  /** An append not answered within this long rejects with UNAVAILABLE (the client retries; dedupe holds). Default 30 000. */
  readonly appendTimeoutMs?: number;
  /** Recent events kept per room. Default 1000. */
  readonly recentPerRoom?: number;
  /** Recent events kept in all. Default 500 000. */
  readonly recentTotal?: number;
  /** Events read back per partition at start to fill the recent buffer. Default 5000. */
  readonly warmupPerPartition?: number;
  /** How long close waits for pending appends before rejecting them. Default 5000. */
  readonly closeGraceMs?: number;
  /** How long a read waits for a lagging sink to cover a gap before UNAVAILABLE. Default 5000. */
  readonly historyWaitMs?: number;
  /** Called when a listener throws. Default: console.error. */
  readonly onListenerError?: ListenerErrorHandler;
  /**
   * Told (at most once per partition per appendTimeoutMs) that an append got
   * no answer in time: no sequencer owns that commands partition, or this
   * gateway does not read its events partition. Default: console.error.
   */
  readonly onUnanswered?: (partition: number, timeoutMs: number) => void;
  /**
   * `everything` (default): read every events partition; `redistributed`: get what redistributors forward;
   * `auto`: start with everything and switch between the two as the cost model says (auto-routing.ts).
   */
  readonly routing?: "everything" | "redistributed" | "auto";
  /** `auto`'s settings. */
  readonly auto?: AutoRoutingSettings;
  /** Redistributed routing's timings (redistributed-feed.ts). */
  readonly routingTimings?: RoutingTimings;
  /** Redistributed routing's inbox. Default: this gateway's forward topic (kafka-forwarding.ts). */
  readonly forward?: (gatewayId: string) => ForwardReceiver;
  /**
   * Told how many records (and their bytes) the log read to deliver events: from the events tail, or
   * `forwarded` to it by redistributors (over the forwarding channel).
   */
  readonly onRead?: (records: number, bytes: number, forwarded: boolean) => void;
}

interface Pending {
  /** The publisher: a duplicate of another user's cmid is refused (duplicateOutcome). */
  readonly from: string;
  readonly resolve: (r: AppendResult) => void;
  readonly reject: (err: unknown) => void;
  readonly timer: NodeJS.Timeout;
  /** performance.now() at append (latency-trace.ts). */
  readonly at: number;
}

/** The cluster gateway's EventLog over Kafka. */
export class KafkaLog implements EventLog {
  readonly gatewayId: string;
  private layout: TopicLayout | undefined;
  private producer: Producer | undefined;
  private tail: EventsTail | undefined;
  private feed: RedistributedFeed | undefined;
  /** `auto`: both feeds, the switch between them, its figures and loop. */
  private feeds: FeedSwitch | undefined;
  private autoLoop: AutoRouting | undefined;
  private readonly figures = new LiveFigures();
  private readonly recent: RecentBuffer;
  private readonly listeners: EventListeners;
  private readonly pending = new Map<string, Pending>();
  private outbox: OutRecord[] = [];
  private sending: Promise<void> | undefined;
  private outboxSince = 0;
  private counter = 0;
  /** Appends waiting for their room's join (redistributed routing). */
  private joining = 0;
  /** Per commands partition, when an unanswered append was last reported. */
  private readonly toldUnanswered = new Map<number, number>();
  private failedPublishes = 0;
  private toldPublishFailureAt = 0;
  private state: "new" | "open" | "closed" = "new";

  constructor(private readonly options: KafkaLogOptions) {
    this.gatewayId = options.gatewayId ?? randomBytes(6).toString("base64url");
    this.recent = new RecentBuffer({ perRoom: options.recentPerRoom ?? 1000, total: options.recentTotal ?? 500_000 });
    this.listeners = new EventListeners(options.onListenerError);
  }

  async start(): Promise<void> {
    if (this.state !== "new") throw new ParleyError("UNAVAILABLE", `log is ${this.state}`);
    const { cluster } = this.options;
    const clientId = `${cluster.clientId ?? "parley"}-gateway-${this.gatewayId}`;
    this.layout = await ensureTopics(cluster);
    this.producer = new Producer({
      clientId,
      bootstrapBrokers: [...cluster.brokers],
      idempotent: true,
      acks: ProduceAcks.ALL,
    });
    if (this.options.routing === "auto") {
      await this.startAuto(clientId, this.layout);
    } else if (this.options.routing === "redistributed") {
      this.feed = this.redistributedFeed();
      await this.feed.start();
    } else {
      this.tail = this.eventsTail(clientId, this.layout, { tailPerPartition: this.warmup() }, (rec, live) =>
        this.onRecord(rec, live),
      );
      await this.tail.start();
    }
    this.state = "open";
  }

  /** `auto`: a dormant redistributed feed, the events tail, and the loop deciding between them. */
  private async startAuto(clientId: string, layout: TopicLayout): Promise<void> {
    const settings = this.options.auto ?? {};
    const feed = this.redistributedFeed(true);
    const feeds = new FeedSwitch({
      tail: (from, handler) => this.eventsTail(clientId, layout, from, handler),
      feed,
      hand: (rec, live) => this.onRecord(rec, live),
      lastOf: (room) => this.recent.lastSeq(room) ?? null,
      fill: (room, after, before) => this.options.history.read(room, after, before - after - 1),
      retain: (keep) => this.recent.retain(keep),
      warmupPerPartition: this.warmup(),
      drainMs: settings.drainMs ?? 2000,
      handoverTimeoutMs: settings.handoverTimeoutMs ?? 30_000,
    });
    this.feeds = feeds;
    await feeds.start();
    this.autoLoop = new AutoRouting(
      settings,
      this.figures,
      feeds,
      new EventsEnd(this.options.cluster, layout, clientId),
    );
    await this.autoLoop.start();
  }

  private eventsTail(
    clientId: string,
    layout: TopicLayout,
    from: EventsTailOptions["from"],
    handler: EventsHandler,
  ): EventsTail {
    const onRead = (records: number, bytes: number) => {
      this.options.onRead?.(records, bytes, false);
      this.figures.tailRead(records, bytes);
    };
    return new EventsTail({ cluster: this.options.cluster, layout, clientId, from, onRead }, handler);
  }

  private warmup(): number {
    return this.options.warmupPerPartition ?? 5000;
  }

  /**
   * Whether live delivery works: open, and the events tail reads every
   * partition (false while a partition has no leader or its fetches fail;
   * the tail retries and logs each failure). Feeds /readyz.
   */
  ready(): boolean {
    return this.state === "open" && (this.tail?.reading() ?? this.feed?.reading() ?? this.feeds?.reading() ?? false);
  }

  /** Per events partition, what the events tail has not handed over yet (`parley_consumer_lag`); empty before start. */
  tailLag(): Map<number, bigint> {
    return this.tail?.lag() ?? this.feeds?.lag() ?? new Map();
  }

  append(command: PublishCommand): Promise<AppendResult> {
    const joined = this.state === "open" ? this.want(command.room) : undefined;
    if (!joined) return this.send(command);
    // Counted as pending while its room's join is awaited, so close waits for it like for a sent one.
    this.joining++;
    const done = () => void this.joining--;
    return joined.then(
      () => (done(), this.send(command, true)),
      (err: unknown) => (done(), Promise.reject(err)),
    );
  }

  /** Polls the head until it reaches `seq` (a gateway may lag behind what another one acked: EventLog.reach). */
  async reach(room: string, seq: number, waitMs: number): Promise<boolean> {
    return (await waitForHead(this, room, (h) => h.lastSeq >= seq, waitMs)) !== undefined;
  }

  /** Follows `room` while held (redistributed or auto routing; a no-op otherwise). */
  interest(room: string): () => void {
    return this.feeds?.hold(room) ?? this.feed?.hold(room) ?? noop;
  }

  /** What an append, read or head of `room` waits for first: its join, when a redistributed feed delivers. */
  private want(room: string): Promise<void> | undefined {
    return this.feeds ? this.feeds.want(room) : this.feed?.want(room);
  }

  /** `admitted`: accepted while open and waiting for its join since; close waits for it, so it is sent. */
  private send(command: PublishCommand, admitted = false): Promise<AppendResult> {
    if ((this.state !== "open" && !admitted) || !this.layout) {
      const code = this.state === "closed" ? "SHUTTING_DOWN" : "UNAVAILABLE";
      return Promise.reject(new ParleyError(code, `log is ${this.state === "closed" ? "closed" : "not started"}`));
    }
    const rid = `${this.gatewayId}:${(this.counter++).toString(36)}`;
    const { names, partitions } = this.layout;
    const partition = partitionFor(command.room, partitions);
    return new Promise<AppendResult>((resolve, reject) => {
      const timer = setTimeout(() => this.unanswered(rid, partition), this.timeoutMs());
      this.pending.set(rid, { from: command.from, resolve, reject, timer, at: performance.now() });
      if (this.outbox.length === 0) this.outboxSince = performance.now();
      this.outbox.push(encodeCommand(names.commands, partition, command, rid));
      this.sending ??= this.flush();
    });
  }

  subscribe(listener: EventListener): () => void {
    return this.listeners.add(listener);
  }

  async read(room: string, afterSeq: number, limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    await this.want(room);
    return this.guard(() => readMerged(this.sources(), room, afterSeq, Math.floor(limit)));
  }

  async readBefore(room: string, beforeSeq: number, limit: number): Promise<RoomEvent[]> {
    if (limit <= 0) return [];
    await this.want(room);
    return this.guard(() => readBeforeMerged(this.sources(), room, beforeSeq, Math.floor(limit)));
  }

  async head(room: string): Promise<RoomHead> {
    if (!this.layout) throw new ParleyError("UNAVAILABLE", "log is not started");
    await this.want(room);
    const epoch = roomEpoch(this.layout.eventsTopicId, room);
    const stored = await this.guard(() => this.options.history.head(room));
    const fromHistory = stored && stored.epoch === epoch ? stored.lastSeq : 0;
    return { epoch, lastSeq: Math.max(fromHistory, this.recent.lastSeq(room) ?? 0) };
  }

  async close(): Promise<void> {
    if (this.state === "closed") return;
    const wasOpen = this.state === "open";
    this.state = "closed";
    if (wasOpen) await this.drain(this.options.closeGraceMs ?? 5000);
    for (const rid of [...this.pending.keys()]) this.settle(rid, new ParleyError("SHUTTING_DOWN", "log closed"));
    await this.sending;
    await this.tail?.close();
    await this.autoLoop?.close();
    await this.feeds?.close(new ParleyError("SHUTTING_DOWN", "log closed"));
    await this.feed?.close(new ParleyError("SHUTTING_DOWN", "log closed"));
    await closeForced(this.producer);
  }

  private sources() {
    return { history: this.options.history, recent: this.recent, waitMs: this.options.historyWaitMs ?? 5000 };
  }

  /** Waits until nothing is pending or `ms` passed. */
  private async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.pending.size + this.joining > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Sends queued commands one batch at a time, so a publisher's commands keep their order. */
  private async flush(): Promise<void> {
    while (this.outbox.length > 0) {
      const batch = this.outbox;
      const since = this.outboxSince;
      this.outbox = [];
      try {
        if (!this.producer) throw new Error("no producer"); // append only queues once start() made it
        await this.producer.send({ messages: batch.map((r) => ({ ...r })) });
        latencyTrace?.add("gw.produce", performance.now() - since);
      } catch (err) {
        const error = new ParleyError("UNAVAILABLE", "publish to Kafka failed", { cause: err });
        for (const r of batch) this.settle(ridOf(r), error);
        this.reportPublishFailure(err, batch.length);
      }
    }
    this.sending = undefined;
  }

  private timeoutMs(): number {
    return this.options.appendTimeoutMs ?? 30_000;
  }

  /** An append timed out: the client retries (dedupe holds), and the operator hears which partition is silent. */
  private unanswered(rid: string, partition: number): void {
    this.settle(rid, new ParleyError("UNAVAILABLE", "no answer from the sequencer in time"));
    const now = Date.now();
    if ((this.toldUnanswered.get(partition) ?? 0) > now - this.timeoutMs()) return;
    this.toldUnanswered.set(partition, now);
    (this.options.onUnanswered ?? defaultUnanswered)(partition, this.timeoutMs());
  }

  /** Clients only see UNAVAILABLE and retry: the operator hears of failing produces too, at most once a second. */
  private reportPublishFailure(err: unknown, commands: number): void {
    this.failedPublishes += commands;
    const now = Date.now();
    if (now - this.toldPublishFailureAt < 1000) return;
    this.toldPublishFailureAt = now;
    console.error(
      `parley: publish to Kafka failed (${this.failedPublishes} commands answered UNAVAILABLE so far):`,
      err,
    );
  }

  private settle(rid: string, outcome: AppendResult | Error): void {
    const p = this.pending.get(rid);
    if (!p) return;
    this.pending.delete(rid);
    clearTimeout(p.timer);
    latencyTrace?.add("gw.ack", performance.now() - p.at);
    if (outcome instanceof Error) p.reject(outcome);
    else p.resolve(outcome);
  }

  private onRecord(rec: EventsRecord, live: boolean): void {
    if (rec.type === "duplicate") return this.answer(rec);
    // The buffer refuses a seq it already holds: a record seen twice (or from both feeds of auto) is delivered once.
    if (this.recent.add(rec.event)) {
      if (live) this.deliver(rec.event);
      if (this.feeds) this.handedOn(this.feeds, rec.event.room, live);
    }
    this.settle(rec.rid, { event: rec.event, duplicate: false });
  }

  /** `auto`: tail events waiting for this room's next seq may go; a live event of a room held here is needed. */
  private handedOn(feeds: FeedSwitch, room: string, live: boolean): void {
    feeds.handed(room);
    if (live && feeds.holds(room)) this.figures.neededEvent();
  }

  /** The redistributed feed, handing its records to this log (JoinSink); `dormant` for auto. */
  private redistributedFeed(dormant = false): RedistributedFeed {
    const sink: JoinSink = {
      event: (rec: EventRecord, live) => this.onRecord(rec, live),
      answer: (rec) => this.answer(rec),
      outOfBand: (event) => this.deliver(event),
      forget: (room) => this.recent.drop(room),
    };
    const { cluster, history } = this.options;
    return new RedistributedFeed({
      ...this.options.routingTimings,
      cluster,
      gatewayId: this.gatewayId,
      receiver: this.options.forward?.(this.gatewayId) ?? new KafkaForwardReceiver(cluster, this.gatewayId),
      sink,
      fill: (room, after, before) => history.read(room, after, before - after - 1),
      onRead: (records, bytes, join) => {
        this.options.onRead?.(records, bytes, true);
        // A join's size says nothing of the events' payload.
        if (!join) this.figures.read(records, bytes);
      },
      dormant,
      ...(dormant && { outOfBandWhileDormant: (room: string) => this.feeds?.holds(room) === false }),
    });
  }

  /** A record that only answers an append (redistributed routing): settles it, delivers nothing. */
  private answer(rec: EventsRecord): void {
    if (rec.type === "event") return this.settle(rec.rid, { event: rec.event, duplicate: false });
    const p = this.pending.get(rec.rid);
    if (p) this.settle(rec.rid, duplicateOutcome(p, rec.event));
  }

  private deliver(event: RoomEvent): void {
    this.listeners.emit([event]);
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw err instanceof ParleyError ? err : new ParleyError("UNAVAILABLE", "history read failed", { cause: err });
    }
  }
}

function noop(): void {}

function ridOf(r: OutRecord): string {
  for (const [k, v] of r.headers) if (k.toString() === "parley-rid") return v.toString();
  return "";
}

function defaultUnanswered(partition: number, timeoutMs: number): void {
  console.error(
    `parley: no sequencer answer within ${timeoutMs} ms for commands partition ${partition} ` +
      "(is a sequencer running and assigned it, and does this gateway read its events partition?)",
  );
}
