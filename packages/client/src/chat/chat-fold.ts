/**
 * The incremental fold of a room (docs/chat.md "Folding"): the same result as
 * `foldRoom` over every event added so far, kept up to date per event instead
 * of refolded from scratch. A live event (newer than everything) costs O(1):
 * it is applied to its one target. An event that lands before others of its
 * target (an older page, a filled hole) refolds only that target from its
 * own events, so a prepended page costs about its size. Events that arrive
 * before their target wait in `pending` and apply once it is added.
 */
import { targetOf, type RoomEvent } from "@parley/protocol";
import { viewOf, type MessageView } from "./message-view.js";
import { applyRelated, byUser, foldReceipt, foldRoom, showsAsMessage, type RoomFold } from "./room-fold.js";

const bySeq = (a: RoomEvent, b: RoomEvent) => a.seq - b.seq;

/** A room's fold, kept up to date event by event; always equal to `foldRoom` over what was added. */
export class ChatFold {
  /** Every event added, whatever its kind (what `foldRoom` calls loaded). */
  readonly #events = new Map<number, RoomEvent>();
  readonly #views = new Map<number, MessageView>();
  /** The seqs of `#views`, ascending. */
  #order: number[] = [];
  /** Per message, the events that refer to it (edits, deletes, reactions, replies), ascending. */
  readonly #related = new Map<number, RoomEvent[]>();
  /** Per seq not added yet, the events that refer to it, ascending. */
  readonly #waiting = new Map<number, RoomEvent[]>();
  readonly #reads = new Map<string, number>();
  /** `#reads` ordered by user, rebuilt when a receipt moved a position. */
  #readsByUser: ReadonlyMap<string, number> = new Map();
  #snapshot: RoomFold | undefined;
  #first = Infinity;
  #last = 0;

  constructor(private readonly me: string) {}

  /** How many distinct events were added. */
  get size(): number {
    return this.#events.size;
  }

  /** The lowest and highest seq added (Infinity and 0 when empty). */
  get span(): { first: number; last: number } {
    return { first: this.#first, last: this.#last };
  }

  /** Adds events (any order; duplicates by seq are ignored); returns how many were new. */
  add(events: readonly RoomEvent[]): number {
    const fresh = this.#register(events);
    if (fresh.length === 0) return 0;
    this.#insertOrder(fresh.filter((e) => showsAsMessage(e.kind)).map((e) => e.seq));
    const dirty = new Set<number>();
    for (const e of fresh) this.#place(e, dirty);
    const recount = new Set<number>();
    for (const seq of dirty) this.#refold(seq, recount);
    for (const seq of recount) this.#recount(seq);
    this.#snapshot = undefined;
    return fresh.length;
  }

  /** Forgets everything (a new room epoch: the old seqs mean nothing). */
  clear(): void {
    for (const map of [this.#events, this.#views, this.#related, this.#waiting, this.#reads]) map.clear();
    this.#order = [];
    this.#readsByUser = new Map();
    this.#first = Infinity;
    this.#last = 0;
    this.#snapshot = undefined;
  }

  /**
   * The current fold. It is a view of this object, not a copy: read it before
   * the next `add` (a new `add` gives a new object, so identity tells change).
   */
  get fold(): RoomFold {
    return (this.#snapshot ??= this.#view(this.#views, undefined));
  }

  /**
   * The fold with `extra` applied after every added event (own edits, deletes
   * and reactions still on their way, with seqs above the log's), as
   * `foldRoom([...added, ...extra])` gives, leaving this fold unchanged.
   */
  foldWith(extra: readonly RoomEvent[]): RoomFold {
    if (extra.length === 0) return this.fold;
    if (extra.some((e) => showsAsMessage(e.kind) || e.kind === "receipt"))
      return foldRoom([...this.#events.values(), ...extra], this.me);
    const views = new Map(this.#views);
    const pending: RoomEvent[] = [];
    for (const e of [...extra].sort(bySeq)) {
      const target = targetOf(e);
      if (typeof target !== "number" || target >= e.seq) continue;
      if (!this.#events.has(target)) pending.push(e);
      else {
        const view = views.get(target);
        if (view?.kind === "message") setView(views, target, applyRelated(view, e), e);
      }
    }
    return this.#view(views, pending);
  }

  #view(views: ReadonlyMap<number, MessageView>, extraPending: RoomEvent[] | undefined): RoomFold {
    const order = this.#order;
    const waiting = this.#waiting;
    let messages: MessageView[] | undefined;
    let pending: RoomEvent[] | undefined;
    return {
      bySeq: views,
      reads: this.#readsByUser,
      get messages() {
        return (messages ??= order.map((s) => known(views, s)));
      },
      get pending() {
        return (pending ??= [...[...waiting.values()].flat().sort(bySeq), ...(extraPending ?? [])]);
      },
    };
  }

  /** Keeps the new events, ascending. */
  #register(events: readonly RoomEvent[]): RoomEvent[] {
    const fresh: RoomEvent[] = [];
    for (const e of events) {
      if (this.#events.has(e.seq)) continue;
      this.#events.set(e.seq, e);
      fresh.push(e);
      if (e.seq < this.#first) this.#first = e.seq;
      if (e.seq > this.#last) this.#last = e.seq;
    }
    return fresh.length > 1 ? fresh.sort(bySeq) : fresh;
  }

  #insertOrder(seqs: number[]): void {
    if (seqs.length === 0) return;
    const order = this.#order;
    const [first] = seqs;
    const last = order.at(-1);
    if (last === undefined || (first !== undefined && first > last)) order.push(...seqs);
    else this.#order = mergeSorted(order, seqs);
  }

  /** Folds one new event in: into the read positions, as a new view, or onto its target. */
  #place(e: RoomEvent, dirty: Set<number>): void {
    const waiting = this.#waiting.get(e.seq);
    this.#waiting.delete(e.seq); // what waited for a non-message is dropped, as foldRoom does
    if (e.kind === "receipt") return this.#receipt(e);
    if (e.kind === "system") return;
    if (showsAsMessage(e.kind)) {
      const view = viewOf(e, this.me);
      this.#views.set(e.seq, view);
      if (waiting && view.kind === "message") (this.#related.set(e.seq, waiting), dirty.add(e.seq));
      if (view.replyTo === undefined) return;
    }
    this.#relate(e, dirty);
  }

  #receipt(e: RoomEvent): void {
    const before = this.#reads.get(e.from);
    foldReceipt(this.#reads, e);
    if (this.#reads.get(e.from) !== before) this.#readsByUser = byUser(this.#reads);
  }

  /** An event referring to `target`: applied at once when it is the target's newest, else the target refolds. */
  #relate(e: RoomEvent, dirty: Set<number>): void {
    const target = targetOf(e);
    if (typeof target !== "number" || target >= e.seq) return; // malformed: refers forward or nowhere
    if (!this.#events.has(target)) return insertSorted(this.#waiting, target, e);
    const view = this.#views.get(target);
    if (view?.kind !== "message") return;
    const last = this.#related.get(target)?.at(-1);
    const newest = !last || last.seq < e.seq;
    insertSorted(this.#related, target, e);
    if (dirty.has(target) || !newest) return void dirty.add(target);
    setView(this.#views, target, applyRelated(view, e), e);
  }

  /** Rebuilds one message from its event and the events referring to it, in log order. */
  #refold(seq: number, recount: Set<number>): void {
    let view = viewOf(known(this.#events, seq), this.me);
    for (const e of this.#related.get(seq) ?? []) view = applyRelated(view, e);
    this.#views.set(seq, view);
    recount.add(seq);
    if (view.replyTo !== undefined && view.replyTo < seq) recount.add(view.replyTo);
  }

  #recount(seq: number): void {
    const view = this.#views.get(seq);
    if (view && view.replies.length > 0) this.#views.set(seq, withReplyCount(this.#views, view));
  }
}

/**
 * Sets the view of an event applied to message `seq` (its newest), keeping
 * reply counts by delta: a new reply counts on its parent unless deleted, and
 * a reply that becomes deleted leaves its parent's count.
 */
function setView(views: Map<number, MessageView>, seq: number, next: MessageView, e: RoomEvent): void {
  const prev = known(views, seq);
  if (next.replies !== prev.replies && views.get(e.seq)?.deleted === false)
    next = { ...next, replyCount: next.replyCount + 1 };
  views.set(seq, next);
  const parentSeq = next.replyTo;
  if (prev.deleted === next.deleted || parentSeq === undefined || parentSeq >= seq) return;
  const parent = views.get(parentSeq);
  // A loaded parent that is a message holds this reply (it was related when placed, or when the parent came).
  if (parent?.kind === "message")
    views.set(parentSeq, { ...parent, replyCount: parent.replyCount + (next.deleted ? -1 : 1) });
}

function withReplyCount(views: ReadonlyMap<number, MessageView>, view: MessageView): MessageView {
  const replyCount = view.replies.filter((s) => views.get(s)?.deleted === false).length;
  return replyCount === view.replyCount ? view : { ...view, replyCount };
}

function insertSorted(map: Map<number, RoomEvent[]>, key: number, e: RoomEvent): void {
  const list = map.get(key);
  if (!list) return void map.set(key, [e]);
  list.splice(list.findLastIndex((x) => x.seq <= e.seq) + 1, 0, e);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  for (;;) {
    const x = a[i];
    const y = b[j];
    if (x === undefined) return out.concat(b.slice(j));
    if (y === undefined) return out.concat(a.slice(i));
    if (x < y) {
      out.push(x);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
}

/** The entry at `key`, which the fold's own bookkeeping guarantees (an order or target names only held seqs). */
function known<V>(map: ReadonlyMap<number, V>, key: number): V {
  const value = map.get(key);
  if (value === undefined) throw new Error(`parley: chat fold lost seq ${key}`);
  return value;
}
