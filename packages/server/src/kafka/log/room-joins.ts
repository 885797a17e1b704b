/**
 * A redistributed gateway's rooms (docs/cluster.md, "Routing"): which rooms
 * it follows, and for each the last seq it holds, so that what it hands on
 * is every event of the room exactly once and in seq order, whatever the
 * redistributors send (late, twice, or after a hole).
 *
 * A room is followed while something holds it (a local subscriber or inbox)
 * or for `lingerMs` after it was last used (an append, read or head). To
 * follow a room the gateway declares its interest with the last seq it holds;
 * the redistributor owning the room's partition answers with a join: the
 * events after that seq it holds and the last seq it routed. Everything it
 * routes after the join comes as forwarded records, so join + forwards leave
 * no hole. Until the join arrives, forwarded events of the room wait here; a
 * forwarded event beyond the next seq (a hole: a redistributor failed over)
 * waits too, and the room is declared again from its last seq, which brings a
 * join with the missing events. Pure apart from the callbacks; `sweep` is
 * called on a timer and re-declares rooms whose join is late.
 */
import { membershipOf, ParleyError, type RoomEvent } from "@parley/protocol";
import type { EventsRecord } from "../records.js";
import type { JoinAnswer } from "../routing-records.js";

/** An event record (not a duplicate marker). */
export type EventRecord = Extract<EventsRecord, { type: "event" }>;

/** Where RoomJoins hands its results (KafkaLog). */
export interface JoinSink {
  /** The next event of a followed room; `live` false: it predates the room's following (buffer it, tell no listener). */
  event(rec: EventRecord, live: boolean): void;
  /** A record that only answers an append: a duplicate marker, or an event already handed on or not followed. */
  answer(rec: EventsRecord): void;
  /** A membership change of a room not followed (every gateway gets those: rule caches, inboxes). */
  outOfBand(event: RoomEvent): void;
  /** The room is no longer followed: what is buffered for it will not be kept current. */
  forget(room: string): void;
}

/** Options of RoomJoins. */
export interface RoomJoinsOptions {
  /** Declares (or declares again) interest in `room`, holding everything up to `after`. */
  readonly declare: (room: string, after: number) => void;
  readonly withdraw: (room: string) => void;
  readonly sink: JoinSink;
  /** How long a room stays followed after its last use. */
  readonly lingerMs: number;
  /** A join not answered within this long is declared again. */
  readonly redeclareMs: number;
  /** How long `want` waits for a join before UNAVAILABLE. */
  readonly waitMs: number;
  /**
   * Reads a room's events with `after < seq < before` from history: a hole
   * older than what the redistributor still holds (it answered a join with
   * events that do not reach back to this gateway's last seq).
   */
  readonly fill: (room: string, after: number, before: number) => Promise<RoomEvent[]>;
  /** Told when a hole could not be filled (it is tried again on the next sweep). */
  readonly onError?: (err: unknown) => void;
  readonly now?: () => number;
}

interface Room {
  joined: boolean;
  /** The first join hands its events on live too (seamed: another feed delivered this room until now). */
  liveJoin: boolean;
  /** The last seq handed on; null: none yet (history holds everything before the next event). */
  last: number | null;
  /** Forwarded events waiting for the join, or for a hole to be filled, by seq. */
  readonly pending: Map<number, EventRecord>;
  holds: number;
  usedAt: number;
  declaredAt: number;
  readonly waiters: Array<{ resolve: () => void; reject: (err: unknown) => void; timer: NodeJS.Timeout }>;
}

/** The followed rooms of one gateway. */
export class RoomJoins {
  private readonly rooms = new Map<string, Room>();
  /**
   * Per room, the seqs of the membership events handed on out of band while it was not followed: each
   * reaches listeners once, also if the room is followed later and a join or forward brings it again.
   */
  private readonly outOfBand = new Map<string, Set<number>>();
  private readonly now: () => number;
  /**
   * Set while another feed (the events tail, `--routing auto`) delivers too: a newly followed room starts
   * from the last seq the gateway handed on, and its first join is delivered like any forward, so the
   * per-room dedupe downstream (KafkaLog's recent buffer) makes the seam between the two feeds exact.
   */
  private seamedFrom: ((room: string) => number | null) | undefined;

  constructor(private readonly options: RoomJoinsOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Follows `room` (if it was not) and resolves once its join arrived; rejects UNAVAILABLE after waitMs. */
  want(room: string): Promise<void> {
    const r = this.follow(room);
    r.usedAt = this.now();
    if (r.joined) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        r.waiters.splice(r.waiters.indexOf(waiter), 1);
        reject(new ParleyError("UNAVAILABLE", `no redistributor answered the interest in ${room} in time`));
      }, this.options.waitMs);
      const waiter = { resolve, reject, timer };
      r.waiters.push(waiter);
    });
  }

  /** Follows `room` until the returned function is called (then for lingerMs more). */
  hold(room: string): () => void {
    const r = this.follow(room);
    r.holds++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      r.holds--;
      r.usedAt = this.now();
    };
  }

  /** Follows new rooms from `lastOf(room)` with live first joins (seamed), or as usual (undefined). */
  seam(lastOf: ((room: string) => number | null) | undefined): void {
    this.seamedFrom = lastOf;
  }

  /** True when the room is followed (joined or not). */
  follows(room: string): boolean {
    return this.rooms.has(room);
  }

  /** True when every followed room is joined and has no forward waiting for a hole to be filled. */
  settled(): boolean {
    for (const r of this.rooms.values()) if (!r.joined || r.pending.size > 0) return false;
    return true;
  }

  /**
   * Stops following every room at once (another feed takes over): withdraws each, resolves the waiters
   * (the other feed serves them), keeps the recent buffer (the other feed keeps it current).
   */
  clear(): void {
    for (const [room, r] of this.rooms) {
      for (const w of r.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.resolve();
      }
      this.options.withdraw(room);
    }
    this.rooms.clear();
  }

  /** True when the room is followed and joined. */
  joined(room: string): boolean {
    return this.rooms.get(room)?.joined ?? false;
  }

  /** Rooms followed now. */
  get size(): number {
    return this.rooms.size;
  }

  /** A record of the events topic forwarded to this gateway. */
  onForward(rec: EventsRecord): void {
    const r = this.rooms.get(rec.event.room);
    if (rec.type === "duplicate" || !r) return this.notFollowed(rec);
    if (!r.joined) {
      r.pending.set(rec.event.seq, rec);
      return;
    }
    this.offer(rec.event.room, r, rec);
  }

  /** A redistributor's answer to a declared interest. */
  onJoin(answer: JoinAnswer): void {
    const r = this.rooms.get(answer.room);
    if (!r) return;
    // A first join only fills the buffer (nobody here had the room's earlier events), unless seamed.
    const live = r.joined || r.liveJoin;
    const first = answer.events[0];
    if (live && r.last !== null && first && first.seq > r.last + 1) return void this.fillHole(answer, r, r.last);
    for (const event of answer.events) {
      const rec: EventRecord = { type: "event", event, epoch: "", rid: "" };
      if (r.last === null || event.seq === r.last + 1 || !live) this.handOn(r, rec, live);
    }
    // With nothing newer than the declared seq, the join's last tells where forwarded events start.
    if (answer.last !== null && (r.last === null || answer.last > r.last) && !live) r.last = answer.last;
    r.joined = true;
    for (const w of r.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.resolve();
    }
    this.drain(answer.room, r);
  }

  /** Declares again every followed room (after this gateway's lease lapsed, redistributors dropped its interest). */
  rejoinAll(): void {
    for (const [room, r] of this.rooms) this.declare(room, r);
  }

  /** Re-declares late joins and stops following rooms unused for lingerMs. */
  sweep(): void {
    const now = this.now();
    for (const [room, r] of this.rooms) {
      if (r.holds === 0 && r.waiters.length === 0 && now - r.usedAt >= this.options.lingerMs) {
        this.rooms.delete(room);
        this.options.withdraw(room);
        this.options.sink.forget(room);
      } else if ((!r.joined || r.pending.size > 0) && now - r.declaredAt >= this.options.redeclareMs) {
        this.declare(room, r);
      }
    }
  }

  /** Rejects every waiter (the log is closing). */
  close(err: unknown): void {
    for (const r of this.rooms.values()) {
      for (const w of r.waiters.splice(0)) {
        clearTimeout(w.timer);
        w.reject(err);
      }
    }
  }

  private follow(room: string): Room {
    let r = this.rooms.get(room);
    if (r) return r;
    const now = this.now();
    const last = this.seamedFrom?.(room) ?? null;
    const liveJoin = this.seamedFrom !== undefined;
    r = { joined: false, liveJoin, last, pending: new Map(), holds: 0, usedAt: now, declaredAt: now, waiters: [] };
    this.rooms.set(room, r);
    this.declare(room, r);
    return r;
  }

  private declare(room: string, r: Room): void {
    r.declaredAt = this.now();
    this.options.declare(room, r.last ?? 0);
  }

  /** A forwarded event of a joined room: handed on if next, dropped if held, kept while there is a hole. */
  private offer(room: string, r: Room, rec: EventRecord): void {
    const seq = rec.event.seq;
    if (r.last !== null && seq <= r.last) return this.options.sink.answer(rec);
    if (r.last === null || seq === r.last + 1) {
      this.handOn(r, rec, true);
      return this.drain(room, r);
    }
    r.pending.set(seq, rec);
    // One declaration per hole: the join answers it; sweep declares again if that join is lost.
    if (r.pending.size === 1) this.declare(room, r);
  }

  private handOn(r: Room, rec: EventRecord, live: boolean): void {
    r.last = rec.event.seq;
    const told = live && (this.outOfBand.get(rec.event.room)?.has(rec.event.seq) ?? false);
    this.options.sink.event(rec, live && !told);
  }

  /** Hands on waiting events that are next now, in seq order; drops those already held. */
  private drain(room: string, r: Room): void {
    if (!r.joined || r.pending.size === 0) return;
    for (const seq of [...r.pending.keys()].sort((a, b) => a - b)) {
      const rec = r.pending.get(seq);
      if (!rec) continue;
      if (r.last !== null && seq > r.last + 1) {
        this.declare(room, r);
        return;
      }
      r.pending.delete(seq);
      if (r.last !== null && seq <= r.last) this.options.sink.answer(rec);
      else this.handOn(r, rec, true);
    }
  }

  /** Hands on the history between this gateway's last seq and the join's first event, then the join. */
  private async fillHole(answer: JoinAnswer, r: Room, last: number): Promise<void> {
    const before = answer.events[0]?.seq ?? last + 1;
    try {
      const missing = await this.options.fill(answer.room, last, before);
      if (this.rooms.get(answer.room) !== r || r.last !== last) return; // moved on meanwhile: a later join decides
      if (missing.length !== before - last - 1 || missing[0]?.seq !== last + 1) throw new Error("history lags");
      for (const event of missing) this.handOn(r, { type: "event", event, epoch: "", rid: "" }, true);
      this.onJoin(answer);
    } catch (err) {
      (this.options.onError ?? console.error)(err);
    }
  }

  private notFollowed(rec: EventsRecord): void {
    this.options.sink.answer(rec);
    if (rec.type === "event" && membershipOf(rec.event) && this.markTold(rec.event)) {
      this.options.sink.outOfBand(rec.event);
    }
  }

  /**
   * Marks a membership event of a room not followed as handed on out of band; false when it already was.
   * The events tail of `--routing auto` marks what it delivers here too, so the two feeds tell it once.
   */
  markTold(event: RoomEvent): boolean {
    const told = this.outOfBand.get(event.room) ?? new Set<number>();
    if (told.has(event.seq)) return false;
    told.add(event.seq);
    // Bounded: the oldest marks go first (a replay or join that old is not expected).
    if (told.size > 100) told.delete(told.values().next().value as number);
    this.outOfBand.delete(event.room);
    this.outOfBand.set(event.room, told);
    if (this.outOfBand.size > 10_000) this.outOfBand.delete(this.outOfBand.keys().next().value as string);
    return true;
  }
}
