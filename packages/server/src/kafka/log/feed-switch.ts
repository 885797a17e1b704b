/**
 * The two feeds of a `--routing auto` gateway and the handover between them (docs/cluster.md, "Routing:
 * auto"): the events tail (everything) and the redistributed feed, which stays leased on the backchannel
 * while dormant. A handover runs both feeds for a while; each is gap-free per room from where it starts,
 * and each starts at or before the next seq the gateway hands on, so KafkaLog's per-room dedupe (the recent
 * buffer refuses a seq it holds) makes the seam exact:
 *
 * - to redistributed: every room held here is followed from the last seq handed on, and the first joins
 *   are delivered like forwards (RoomJoins.seam); once every room is joined, the tail stops.
 * - to everything: a tail starts at the end of the events topic; a followed room's event from it that
 *   runs ahead of the feed waits in a SeqGate until the feed (or history) fills in; after `drainMs`
 *   (the feed's records in flight) and with nothing waiting, the feed goes dormant and withdraws.
 *
 * A handover that cannot finish within `handoverTimeoutMs` (no redistributor answers) is abandoned:
 * the feed in force stays, and nothing was lost meanwhile, since it never stopped.
 */
import { membershipOf, type RoomEvent } from "@parley/protocol";
import type { EventsRecord } from "../records.js";
import type { EventsHandler, EventsTail, EventsTailOptions } from "./events-tail.js";
import type { RedistributedFeed } from "./redistributed-feed.js";
import type { EventRecord } from "./room-joins.js";
import { SeqGate } from "./seq-gate.js";

/** A routing in force. */
export type FeedRouting = "everything" | "redistributed";

/** Options of FeedSwitch. */
export interface FeedSwitchOptions {
  /** A tail of the events topic from `from`, handing records to `handler`. */
  readonly tail: (from: EventsTailOptions["from"], handler: EventsHandler) => EventsTail;
  /** The redistributed feed, built dormant. */
  readonly feed: RedistributedFeed;
  /** Hands a record on (KafkaLog: answers appends, recent buffer, listeners when `live`). */
  readonly hand: (rec: EventsRecord, live: boolean) => void;
  /** The last seq of `room` handed on, null when none is held. */
  readonly lastOf: (room: string) => number | null;
  /** Reads `room`'s events with `after < seq < before` from history. */
  readonly fill: (room: string, after: number, before: number) => Promise<RoomEvent[]>;
  /** Keeps only the rooms `keep` accepts in the recent buffer. */
  readonly retain: (keep: (room: string) => boolean) => void;
  /** Records read back per partition by the first tail. */
  readonly warmupPerPartition: number;
  /** After a tail took over, how long the redistributed feed keeps delivering what it had in flight. */
  readonly drainMs: number;
  readonly handoverTimeoutMs: number;
  readonly onError?: (err: unknown) => void;
}

interface Held {
  count: number;
  /** The feed's hold while the feed follows held rooms. */
  release?: () => void;
}

const POLL_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Which feed delivers, and the switch. */
export class FeedSwitch {
  private tail: EventsTail | undefined;
  private routing: FeedRouting = "everything";
  /** Where rooms newly held or used go: the feed being switched to, or in force. */
  private target: FeedRouting = "everything";
  private switching: Promise<boolean> | undefined;
  private closed = false;
  /** When the tail last started: figures use its records only for intervals it covered. */
  private tailSince = 0;
  private readonly held = new Map<string, Held>();
  private readonly gate: SeqGate;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FeedSwitchOptions) {
    this.gate = new SeqGate({ ...options, graceMs: options.drainMs, hand: (rec, live) => options.hand(rec, live) });
  }

  /** The routing in force (during a handover: the one switched from). */
  get current(): FeedRouting {
    return this.routing;
  }

  /** True while a handover runs. */
  get busy(): boolean {
    return this.switching !== undefined;
  }

  /** When the running tail started (0: no tail). */
  get tailStartedAt(): number {
    return this.tail ? this.tailSince : 0;
  }

  /** Opens the feed (dormant: leased, following nothing), then reads everything. */
  async start(): Promise<void> {
    await this.options.feed.start();
    const tail = this.options.tail({ tailPerPartition: this.options.warmupPerPartition }, (r, l) => this.onTail(r, l));
    await tail.start();
    this.tail = tail;
    this.tailSince = Date.now();
    this.timer = setInterval(() => this.gate.sweep(), 250);
    this.timer.unref();
  }

  /** Whether the feed in force reads (/readyz). */
  reading(): boolean {
    return this.tail ? this.tail.reading() : this.options.feed.reading();
  }

  /** The events tail's lag (empty while redistributed). */
  lag(): Map<number, bigint> {
    return this.tail?.lag() ?? new Map();
  }

  /** True when `room` is held (a subscriber or inbox here follows it). */
  holds(room: string): boolean {
    return this.held.has(room);
  }

  /** Follows `room` while held, whichever feed delivers. */
  hold(room: string): () => void {
    let h = this.held.get(room);
    if (!h) this.held.set(room, (h = { count: 0 }));
    h.count++;
    if (this.target === "redistributed") h.release ??= this.options.feed.hold(room);
    const entry = h;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      if (--entry.count > 0) return;
      if (this.held.get(room) === entry) this.held.delete(room);
      entry.release?.();
    };
  }

  /**
   * What an append, read or head waits for: the room's join while redistributed. While the tail still
   * runs, nothing (it delivers the room); switching to redistributed, the room is followed meanwhile.
   */
  want(room: string): Promise<void> | undefined {
    if (this.target === "redistributed" && !this.tail) return this.options.feed.want(room);
    if (this.target === "redistributed") this.options.feed.want(room).catch(() => undefined);
    return undefined;
  }

  /** The room's last seq moved: tail events waiting for it may go. */
  handed(room: string): void {
    this.gate.release(room);
  }

  /** Switches to `routing`; resolves true when it is in force, false when the handover was abandoned. */
  switchTo(routing: FeedRouting): Promise<boolean> {
    if (this.switching) return this.switching;
    if (routing === this.routing || this.closed) return Promise.resolve(routing === this.routing);
    const run = routing === "redistributed" ? this.toRedistributed() : this.toEverything();
    this.switching = run.finally(() => (this.switching = undefined));
    return this.switching;
  }

  async close(err: unknown): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.switching?.catch(() => undefined);
    await this.tail?.close();
    await this.options.feed.close(err);
  }

  private async toRedistributed(): Promise<boolean> {
    const { feed } = this.options;
    this.target = "redistributed";
    feed.activate(this.options.lastOf);
    for (const [room, h] of this.held) h.release ??= feed.hold(room);
    if (!(await this.until(() => feed.settled()))) {
      this.target = "everything";
      this.dormant();
      return false;
    }
    const tail = this.tail;
    this.tail = undefined;
    await tail?.close();
    feed.unseam();
    // What the tail kept for rooms not followed would no longer be kept current.
    this.options.retain((room) => feed.follows(room));
    this.routing = "redistributed";
    return true;
  }

  private async toEverything(): Promise<boolean> {
    // Both feeds may run from here on: a room followed meanwhile is joined seamed too.
    this.options.feed.activate(this.options.lastOf);
    const tail = this.options.tail({ tailPerPartition: 0 }, (r, l) => this.onTail(r, l));
    try {
      await tail.start();
    } catch (err) {
      (this.options.onError ?? console.error)(err);
      await tail.close();
      this.options.feed.unseam(); // the feed alone again: new rooms joined as usual
      return false;
    }
    this.tail = tail;
    this.tailSince = Date.now();
    this.target = "everything";
    await sleep(this.options.drainMs);
    // Past the timeout, what still waits is read from history by the gate: the feed is not needed for it.
    await this.until(() => this.gate.empty());
    this.dormant();
    this.routing = "everything";
    return !this.closed;
  }

  private dormant(): void {
    this.options.feed.deactivate();
    for (const h of this.held.values()) delete h.release;
  }

  /** Waits for `done` up to handoverTimeoutMs; false on timeout or close. */
  private async until(done: () => boolean): Promise<boolean> {
    const deadline = Date.now() + this.options.handoverTimeoutMs;
    while (!this.closed && !done()) {
      if (Date.now() >= deadline) return false;
      await sleep(POLL_MS);
    }
    return !this.closed;
  }

  /**
   * A record from the tail. A room the feed also delivers, or one held here, goes through the gate; a
   * membership change of another room is told once whichever feed has it first; the rest as usual.
   */
  private onTail(rec: EventsRecord, live: boolean): void {
    if (rec.type !== "event") return this.options.hand(rec, live);
    const { feed } = this.options;
    const room = rec.event.room;
    if ((feed.delivering && feed.follows(room)) || this.held.has(room)) return this.gate.offer(rec, live);
    if (membershipOf(rec.event)) return this.options.hand(rec, feed.markTold(rec.event) && live);
    this.options.hand(rec as EventRecord, live);
  }
}
