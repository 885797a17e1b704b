/**
 * The events tail's side of a feed handover (`--routing auto`, docs/cluster.md "Routing: auto"): a tail
 * started at the end of the events topic may bring a followed room's event while the redistributed
 * feed, lagging, has not yet handed on the ones before it. Such an event waits here, by seq, until the
 * room's last handed-on seq reaches it (the feed catches up, or, after `graceMs`, the missing events are
 * read from history), so a subscriber never sees a hole. An event at or below the next seq passes at
 * once (the recent buffer drops what was handed on already). Pure apart from the callbacks.
 */
import type { RoomEvent } from "@parley/protocol";
import type { EventRecord } from "./room-joins.js";

/** Options of SeqGate. */
export interface SeqGateOptions {
  /** The last seq of `room` handed on, null when none is held. */
  readonly lastOf: (room: string) => number | null;
  /** Hands a record on (KafkaLog: recent buffer, listeners when `live`). */
  readonly hand: (rec: EventRecord, live: boolean) => void;
  /** Reads `room`'s events with `after < seq < before` from history. */
  readonly fill: (room: string, after: number, before: number) => Promise<RoomEvent[]>;
  /** How long an event waits for the other feed before the hole is read from history. */
  readonly graceMs: number;
  readonly onError?: (err: unknown) => void;
  readonly now?: () => number;
}

interface Waiting {
  readonly records: Map<number, { rec: EventRecord; live: boolean }>;
  readonly since: number;
  filling: boolean;
}

/** Per room, tail events waiting for the ones before them. */
export class SeqGate {
  private readonly rooms = new Map<string, Waiting>();
  private readonly now: () => number;

  constructor(private readonly options: SeqGateOptions) {
    this.now = options.now ?? Date.now;
  }

  /** An event of a followed room from the tail: handed on if not beyond the next seq, else kept. */
  offer(rec: EventRecord, live: boolean): void {
    const room = rec.event.room;
    const last = this.options.lastOf(room);
    const waiting = this.rooms.get(room);
    if (!waiting && (last === null || rec.event.seq <= last + 1)) return this.options.hand(rec, live);
    const w = waiting ?? { records: new Map(), since: this.now(), filling: false };
    this.rooms.set(room, w);
    w.records.set(rec.event.seq, { rec, live });
    this.release(room);
  }

  /** The room's last seq moved (the other feed handed an event on): hands on what is next now. */
  release(room: string): void {
    const w = this.rooms.get(room);
    if (!w) return;
    for (const seq of [...w.records.keys()].sort((a, b) => a - b)) {
      const last = this.options.lastOf(room);
      if (last !== null && seq > last + 1) return;
      const item = w.records.get(seq);
      w.records.delete(seq);
      if (item) this.options.hand(item.rec, item.live);
    }
    this.rooms.delete(room);
  }

  /** True when nothing waits. */
  empty(): boolean {
    return this.rooms.size === 0;
  }

  /** Reads from history the holes that waited longer than graceMs (called on a timer). */
  sweep(): void {
    const now = this.now();
    for (const [room, w] of this.rooms) {
      if (!w.filling && now - w.since >= this.options.graceMs) void this.fill(room, w);
    }
  }

  private async fill(room: string, w: Waiting): Promise<void> {
    const last = this.options.lastOf(room) ?? 0;
    const before = Math.min(...w.records.keys());
    if (before <= last + 1) return this.release(room);
    w.filling = true;
    try {
      const missing = await this.options.fill(room, last, before);
      if (missing.length !== before - last - 1 || missing[0]?.seq !== last + 1) throw new Error("history lags");
      for (const event of missing) this.options.hand({ type: "event", event, epoch: "", rid: "" }, true);
      this.release(room);
    } catch (err) {
      (this.options.onError ?? console.error)(err);
    } finally {
      w.filling = false;
    }
  }
}
