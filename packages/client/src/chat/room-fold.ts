/**
 * The pure fold of a room's events into message views (docs/chat.md
 * "Folding"). Events referring to a message always come after it in the log,
 * so one pass in seq order over any contiguous suffix gives the exact current
 * state of every message in it. Events whose target lies before the loaded
 * suffix are kept as `pending` and apply as soon as an older page brings the
 * target in: the caller keeps the events, and folding again is cheap.
 */
import { targetOf, type RoomEvent } from "@parley/protocol";
import { applyDelete, applyEdit, applyReaction, applyReply, viewOf, type MessageView } from "./message-view.js";

/** The kinds that change a message instead of showing as one. */
export const FOLDED_KINDS: readonly string[] = ["edit", "delete", "reaction", "receipt"];

/** True when an event of `kind` shows as a message of its own: not a change, not the server's `system` (access changes). */
export function showsAsMessage(kind: string): boolean {
  return !FOLDED_KINDS.includes(kind) && kind !== "system";
}

/** A room's messages as they are now. */
export interface RoomFold {
  /** Every message (replies too), ascending by seq. */
  readonly messages: readonly MessageView[];
  readonly bySeq: ReadonlyMap<number, MessageView>;
  /** Per user (ordered by user id), the highest `upTo` of their receipts (read positions never move back). */
  readonly reads: ReadonlyMap<string, number>;
  /** Events whose target is not among the events folded (an older page not loaded yet), in seq order. */
  readonly pending: readonly RoomEvent[];
}

/** Folds `events` (any order, duplicates allowed: seq decides) for user `me`. */
export function foldRoom(events: readonly RoomEvent[], me: string): RoomFold {
  const bySeq = new Map<number, MessageView>();
  const reads = new Map<string, number>();
  const sorted = inSeqOrder(events);
  const folding: Folding = { bySeq, pending: [], loaded: new Set(sorted.map((e) => e.seq)) };
  for (const event of sorted) {
    if (event.kind === "receipt") foldReceipt(reads, event);
    else if (showsAsMessage(event.kind)) addMessage(folding, event, me);
    else if (event.kind !== "system") foldRelated(folding, event);
  }
  countReplies(bySeq);
  return { messages: [...bySeq.values()], bySeq, reads: byUser(reads), pending: folding.pending };
}

/** Messages outside any thread (what a room's main list shows), ascending. */
export function topLevel(fold: RoomFold): MessageView[] {
  return fold.messages.filter((m) => m.replyTo === undefined);
}

/** The replies of message `seq` that are loaded, ascending. */
export function threadOf(fold: RoomFold, seq: number): MessageView[] {
  const parent = fold.bySeq.get(seq);
  if (!parent) return fold.messages.filter((m) => m.replyTo === seq);
  return parent.replies.map((s) => fold.bySeq.get(s)).filter((m): m is MessageView => m !== undefined);
}

/** Users other than the sender whose read position covers message `seq`, sorted. */
export function seenBy(fold: RoomFold, seq: number): string[] {
  const from = fold.bySeq.get(seq)?.from;
  const users: string[] = [];
  for (const [user, upTo] of fold.reads) if (upTo >= seq && user !== from) users.push(user);
  return users.sort();
}

/** A reply may be deleted after it was counted: count the live ones once everything is folded. */
function countReplies(bySeq: Map<number, MessageView>): void {
  for (const view of bySeq.values()) {
    if (view.replies.length === 0) continue;
    const replyCount = view.replies.filter((s) => bySeq.get(s)?.deleted === false).length;
    if (replyCount !== view.replyCount) bySeq.set(view.seq, { ...view, replyCount });
  }
}

function inSeqOrder(events: readonly RoomEvent[]): RoomEvent[] {
  const unique = new Map<number, RoomEvent>();
  for (const e of events) if (!unique.has(e.seq)) unique.set(e.seq, e);
  return [...unique.values()].sort((a, b) => a.seq - b.seq);
}

/** The read positions ordered by user id, so arrival order never shows. */
export function byUser(reads: ReadonlyMap<string, number>): Map<string, number> {
  return new Map([...reads].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Folds a receipt into the read positions (the highest `upTo` per user wins, whatever the order). */
export function foldReceipt(reads: Map<string, number>, event: RoomEvent): void {
  const upTo = (event.body as { upTo?: unknown } | null)?.upTo;
  if (typeof upTo === "number" && upTo > (reads.get(event.from) ?? 0)) reads.set(event.from, upTo);
}

interface Folding {
  readonly bySeq: Map<number, MessageView>;
  readonly pending: RoomEvent[];
  /** Every seq being folded, whatever its kind. */
  readonly loaded: ReadonlySet<number>;
}

function addMessage(folding: Folding, event: RoomEvent, me: string): void {
  const view = viewOf(event, me);
  folding.bySeq.set(view.seq, view);
  if (view.replyTo !== undefined) foldRelated(folding, event);
}

/** Applies an edit, delete, reaction or reply to its target; a target that is not a message is no target. */
function foldRelated({ bySeq, pending, loaded }: Folding, event: RoomEvent): void {
  const target = targetOf(event);
  if (typeof target !== "number" || target >= event.seq) return; // malformed: refers forward or nowhere
  if (!loaded.has(target)) return void pending.push(event);
  const view = bySeq.get(target);
  if (view?.kind === "message") bySeq.set(target, applyRelated(view, event));
}

/** Applies an edit, delete, reaction or reply (a `message` with `replyTo`) to the message it refers to. */
export function applyRelated(view: MessageView, event: RoomEvent): MessageView {
  switch (event.kind) {
    case "edit":
      return applyEdit(view, event);
    case "delete":
      return applyDelete(view);
    case "reaction":
      return applyReaction(view, event);
    default:
      return applyReply(view, event);
  }
}
