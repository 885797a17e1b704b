import type { RoomEvent } from "@parley/protocol";
import { applyDeleteInPlace, deletedTargets } from "../../chat/tombstones.js";

/** Options of RecentBuffer. */
export interface RecentBufferOptions {
  /** Most events kept per room (the newest). */
  readonly perRoom: number;
  /** Most events kept in all; the rooms touched longest ago are dropped first. */
  readonly total: number;
}

/**
 * The newest events per room, as a gateway consumed them from the events
 * topic, so reads never depend on how far the sink has got. Each room's
 * list is contiguous and ascending: an event that does not extend it (a gap
 * after a buffer eviction) restarts the room's list at that event. A
 * `delete` tombstones the target and edits it holds (chat/tombstones.ts), as
 * the store's projection does, so reads agree whichever source serves them.
 */
export class RecentBuffer {
  // Map order = least recently appended room first, for eviction.
  private readonly rooms = new Map<string, RoomEvent[]>();
  private count = 0;

  constructor(private readonly options: RecentBufferOptions) {}

  /** The highest seq held for `room`, if any. */
  lastSeq(room: string): number | undefined {
    return this.rooms.get(room)?.at(-1)?.seq;
  }

  /** The lowest seq held for `room`, if any. */
  firstSeq(room: string): number | undefined {
    return this.rooms.get(room)?.[0]?.seq;
  }

  /** Adds the next event of its room; returns false (and keeps nothing) when seq is not above the last held. */
  add(event: RoomEvent): boolean {
    let list = this.rooms.get(event.room);
    const last = list?.at(-1)?.seq;
    if (last !== undefined && event.seq <= last) return false;
    if (!list || (last !== undefined && event.seq !== last + 1)) {
      this.count -= list?.length ?? 0;
      list = [];
    }
    this.rooms.delete(event.room);
    this.rooms.set(event.room, list);
    list.push(event);
    applyDeleteInPlace(list, event);
    this.count++;
    if (list.length > this.options.perRoom) {
      list.splice(0, list.length - this.options.perRoom);
      this.count = this.count - 1;
    }
    this.evict();
    return true;
  }

  /** Forgets what is held for `room` (a gateway that no longer follows it would not keep it current). */
  drop(room: string): void {
    this.count -= this.rooms.get(room)?.length ?? 0;
    this.rooms.delete(room);
  }

  /** Keeps only the rooms `keep` accepts (a gateway whose events tail stopped keeps current only what it follows). */
  retain(keep: (room: string) => boolean): void {
    for (const room of [...this.rooms.keys()]) if (!keep(room)) this.drop(room);
  }

  /** The seqs removed by the deletes held for `room`: older events read elsewhere must be tombstoned too. */
  deletedIn(room: string): Set<number> {
    return deletedTargets(this.rooms.get(room) ?? []);
  }

  /** Held events with `afterSeq < seq`, ascending, at most `limit`. */
  after(room: string, afterSeq: number, limit: number): RoomEvent[] {
    const list = this.rooms.get(room);
    const first = list?.[0];
    if (!list || !first) return [];
    const start = Math.max(0, afterSeq + 1 - first.seq);
    return list.slice(start, start + limit);
  }

  /** Held events with `seq < beforeSeq`, the newest `limit`, ascending. */
  before(room: string, beforeSeq: number, limit: number): RoomEvent[] {
    const list = this.rooms.get(room);
    const first = list?.[0];
    if (!list || !first) return [];
    const end = Math.min(list.length, Math.max(0, beforeSeq - first.seq));
    return list.slice(Math.max(0, end - limit), end);
  }

  /** Events held in all rooms. */
  get size(): number {
    return this.count;
  }

  private evict(): void {
    for (const [room, list] of this.rooms) {
      if (this.count <= this.options.total) break;
      this.rooms.delete(room);
      this.count -= list.length;
    }
  }
}
