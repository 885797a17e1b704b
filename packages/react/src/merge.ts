/**
 * Pure message-list logic for `useMessages`: merging history pages and live
 * events by seq (no duplicates), finding holes to fill, and laying pending
 * outbox messages after the confirmed ones. No React, no I/O: unit-tested.
 */
import {
  foldRoom,
  threadOf,
  topLevel,
  type MessageView,
  type OutboxEntry,
  type RoomEvent,
  type RoomFold,
} from "@parley/client";
import type { TrackedMessage } from "./outbox-tracker.js";
import { refusalsOf, type Refusal } from "./refusals.js";

/** Where an own message is on its way. */
export type DeliveryState = "sending" | "retrying" | "sent" | "failed";

/** One row of a message list: a confirmed event, or an own message not yet in the stream. */
export interface ChatMessage {
  /** Stable React key: the cmid (so a pending row keeps its key when it is confirmed). */
  key: string;
  cmid: string;
  /** Seq in the room; undefined until confirmed. */
  seq: number | undefined;
  from: string;
  /** Server time once confirmed, else the time it was written. */
  ts: number;
  kind: string;
  body: RoomEvent["body"];
  /** For own messages; confirmed messages from others are "sent". */
  state: DeliveryState;
  /** Why a message failed for good. */
  error?: string;
  /** Own changes of this message the server refused (edits, deletes, reactions), until dismissed. */
  refusals?: Refusal[];
  /** The folded message: current text, edits, tombstone, reactions, replies, mentions (provisional while pending). */
  view: MessageView;
}

/** Which rows `buildMessages` lays out. */
export interface MessageScope {
  /** The fold of `events`, when the caller has it already. */
  fold?: RoomFold;
  /** The replies of this message instead of the room's main list. */
  thread?: number;
}

/** Merges two ascending event lists into one ascending list, one event per seq. */
export function mergeEvents(existing: readonly RoomEvent[], incoming: readonly RoomEvent[]): RoomEvent[] {
  if (incoming.length === 0) return existing as RoomEvent[];
  const last = existing[existing.length - 1];
  // Fast path for the common live case: one event right after the newest.
  const [only] = incoming;
  if (only && incoming.length === 1 && (!last || only.seq > last.seq)) return [...existing, only];
  const bySeq = new Map<number, RoomEvent>();
  for (const e of existing) bySeq.set(e.seq, e);
  for (const e of incoming) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** A missing seq range inside a loaded list: `after` is the last seq before the hole, `until` the first after it. */
export interface Hole {
  after: number;
  until: number;
}

/** Every hole between consecutive loaded events (seqs are contiguous within an epoch). */
export function findHoles(events: readonly RoomEvent[]): Hole[] {
  const holes: Hole[] = [];
  for (const [i, e] of events.entries()) {
    const prev = events[i - 1]?.seq;
    if (prev !== undefined && e.seq > prev + 1) holes.push({ after: prev, until: e.seq });
  }
  return holes;
}

/** What decides the state shown for a pending own message. */
export interface PendingContext {
  /** True when the link is up: a queued message is "sending", not "retrying". */
  connected: boolean;
  /** Queued for longer than this while connected counts as "retrying" (default 5 s). */
  slowMs?: number;
  now?: number;
}

/** Whose list is built: the room and the signed-in user, with what decides their pending messages' state. */
export interface ListContext extends PendingContext {
  room: string;
  me: string;
}

/**
 * The rows to render: the folded messages of the main list (or of one
 * thread) in seq order, then own messages still on their way, in send order.
 * Edits, deletes, reactions and receipts are not rows: they change the rows.
 */
export function buildMessages(
  events: readonly RoomEvent[],
  tracked: readonly TrackedMessage[],
  ctx: ListContext,
  scope: MessageScope = {},
): ChatMessage[] {
  const { room, me } = ctx;
  const fold = scope.fold ?? foldRoom(events, me);
  const views = scope.thread === undefined ? topLevel(fold) : threadOf(fold, scope.thread);
  const refused = refusalsByTarget(tracked, room);
  const rows: ChatMessage[] = views.map((view) => {
    const refusals = refused.get(view.seq);
    return { ...rowOf(view), state: "sent", ...(refusals ? { refusals } : {}) };
  });
  const confirmed = confirmedCmids(events, me);
  const now = ctx.now ?? Date.now();
  const mine = tracked
    .filter((t) => t.entry.room === room && !confirmed.has(t.entry.cmid) && inScope(t.entry, scope.thread))
    .sort((a, b) => a.entry.order - b.entry.order);
  for (const t of mine) {
    const view = pendingView(t, me);
    rows.push({
      ...rowOf(view),
      key: `${me}:${t.entry.cmid}`,
      seq: t.ack?.seq,
      state: t.status === "failed" ? "failed" : t.status === "acked" ? "sent" : queuedState(t.entry, ctx, now),
      ...(t.error !== undefined ? { error: t.error } : {}),
    });
  }
  return rows;
}

function refusalsByTarget(tracked: readonly TrackedMessage[], room: string): Map<number, Refusal[]> {
  const byTarget = new Map<number, Refusal[]>();
  for (const r of refusalsOf(tracked, room)) byTarget.set(r.target, [...(byTarget.get(r.target) ?? []), r]);
  return byTarget;
}

function rowOf(view: MessageView): Omit<ChatMessage, "state"> {
  const { cmid, seq, from, ts, kind, body } = view;
  return { key: `${from}:${cmid}`, cmid, seq, from, ts, kind, body, view };
}

/** A pending own message belongs to the main list, or to the thread it replies to. */
function inScope(entry: OutboxEntry, thread: number | undefined): boolean {
  if ((entry.kind ?? "message") !== "message") return false;
  const body = entry.body as { replyTo?: unknown } | null;
  const replyTo = typeof body === "object" && body !== null ? body.replyTo : undefined;
  return thread === undefined ? replyTo === undefined : replyTo === thread;
}

/** How an own message looks before the stream confirms it: folded as if it were the only event. */
function pendingView(t: TrackedMessage, me: string): MessageView {
  const { cmid, body, createdAt } = t.entry;
  const event: RoomEvent = {
    room: t.entry.room,
    seq: t.ack?.seq ?? 0,
    id: "",
    from: me,
    ts: t.ack?.ts ?? createdAt,
    kind: "message",
    body,
    cmid,
  };
  const [view] = foldRoom([event], me).messages;
  if (!view) throw new Error("parley: a pending message folded to no row");
  return view;
}

/** The cmids of `me`'s messages present in the stream. */
export function confirmedCmids(events: readonly RoomEvent[], me: string): Set<string> {
  const set = new Set<string>();
  for (const e of events) if (e.from === me) set.add(e.cmid);
  return set;
}

function queuedState(entry: OutboxEntry, ctx: PendingContext, now: number): DeliveryState {
  if (!ctx.connected) return "retrying";
  return now - entry.createdAt > (ctx.slowMs ?? 5000) ? "retrying" : "sending";
}
