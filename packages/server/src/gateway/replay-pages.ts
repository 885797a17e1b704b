import { encodeFrame, type RoomEvent } from "@parley/protocol";
import { OutboundFrame } from "../transport/outbound-frame.js";

/** One page of history as a resume replays it: the events, their frames, and all of them as one batch. */
export interface ReplayPage {
  readonly events: readonly RoomEvent[];
  readonly frames: readonly OutboundFrame[];
  /** Every frame of the page, concatenated once; undefined for an empty page. */
  readonly batch: OutboundFrame | undefined;
}

/** Reads `limit` events with seq > `afterSeq` (the event log's `read`). */
export type PageReader = (room: string, afterSeq: number, limit: number) => Promise<RoomEvent[]>;

/** Bounds of the page cache. */
export interface ReplayPagesOptions {
  /** How long a read page is reused. */
  readonly ttlMs: number;
  /** Most bytes of JSON text held by resolved pages; the oldest pages go first. */
  readonly maxBytes: number;
}

interface Entry {
  readonly room: string;
  readonly key: string;
  readonly page: Promise<ReplayPage>;
  readonly expires: number;
  bytes: number;
  dead: boolean;
}

export const EMPTY_PAGE: ReplayPage = { events: [], frames: [], batch: undefined };

/**
 * Resume pages shared between the subscribers of a room that resume from the
 * same position at about the same time (a reconnect storm): one log read and
 * one JSON.stringify per event for all of them, instead of one per client.
 *
 * Contract: a page is reused for at most `ttlMs`, and every event the gateway
 * sees for a room (`invalidate`) drops that room's pages, read or in flight.
 * That keeps a resume race free: a subscriber is in the hub before it asks
 * for a page, so an event missing from a page it gets was published after the
 * page was read, and the subscriber buffers it. It also keeps tombstones
 * true: a `delete` is an event, so history rewritten by it is read afresh.
 */
export class ReplayPages {
  private readonly rooms = new Map<string, Map<string, Entry>>();
  /** Entries in insertion order (hence expiry order), for eviction. */
  private fifo: Entry[] = [];
  private fifoHead = 0;
  private bytes = 0;

  constructor(
    private readonly read: PageReader,
    private readonly options: ReplayPagesOptions,
  ) {}

  /** The page of `room` (in `epoch`) after `afterSeq`, shared while fresh. */
  get(room: string, epoch: string, afterSeq: number, limit: number): Promise<ReplayPage> {
    const key = `${epoch}\n${afterSeq}\n${limit}`;
    const now = Date.now();
    const pages = this.rooms.get(room);
    const hit = pages?.get(key);
    if (hit && hit.expires > now) return hit.page;
    if (hit) this.drop(hit);
    const entry = this.load({ room, key, afterSeq, limit }, now);
    this.evict(now);
    return entry.page;
  }

  /** Drops the room's pages: a new event may change what a read returns. */
  invalidate(room: string): void {
    const pages = this.rooms.get(room);
    if (!pages) return;
    for (const entry of pages.values()) this.forget(entry);
    this.rooms.delete(room);
  }

  /** Bytes held by resolved pages (for tests and metrics). */
  get heldBytes(): number {
    return this.bytes;
  }

  private load(request: { room: string; key: string; afterSeq: number; limit: number }, now: number): Entry {
    const { room, key, afterSeq, limit } = request;
    const page = this.read(room, afterSeq, limit).then(toPage);
    const entry: Entry = { room, key, page, expires: now + this.options.ttlMs, bytes: 0, dead: false };
    let pages = this.rooms.get(room);
    if (!pages) this.rooms.set(room, (pages = new Map()));
    pages.set(key, entry);
    this.fifo.push(entry);
    page.then(
      (p) => this.account(entry, p),
      () => this.drop(entry),
    );
    return entry;
  }

  private account(entry: Entry, page: ReplayPage): void {
    if (entry.dead) return;
    entry.bytes = page.batch?.size ?? 0;
    this.bytes += entry.bytes;
    this.evict(Date.now());
  }

  /** Removes expired entries from the front, then the oldest while over the byte bound. */
  private evict(now: number): void {
    for (let entry = this.fifo[this.fifoHead]; entry; entry = this.fifo[this.fifoHead]) {
      if (!entry.dead && entry.expires > now && this.bytes <= this.options.maxBytes) break;
      this.drop(entry);
      this.fifoHead++;
    }
    if (this.fifoHead > 1024 && this.fifoHead * 2 > this.fifo.length) {
      this.fifo = this.fifo.slice(this.fifoHead);
      this.fifoHead = 0;
    }
  }

  private drop(entry: Entry): void {
    if (entry.dead) return;
    const pages = this.rooms.get(entry.room);
    if (pages?.get(entry.key) === entry) {
      pages.delete(entry.key);
      if (pages.size === 0) this.rooms.delete(entry.room);
    }
    this.forget(entry);
  }

  private forget(entry: Entry): void {
    if (entry.dead) return;
    entry.dead = true;
    this.bytes -= entry.bytes;
  }
}

function toPage(events: RoomEvent[]): ReplayPage {
  if (events.length === 0) return EMPTY_PAGE;
  const frames = events.map((event) => new OutboundFrame(encodeFrame({ t: "event", ...event })));
  return { events, frames, batch: OutboundFrame.batch(frames) };
}
