/**
 * What one message looks like after the events that refer to it: the view
 * type and the pure steps that apply an edit, a delete, a reaction or a reply
 * to it. Each step returns a new view (views are immutable, so UIs can
 * compare them by identity). The order of the steps is the log order; see
 * docs/chat.md "Races".
 */
import { TOMBSTONE_BODY, isTombstone, mentionsOf, textOf, type Json, type RoomEvent } from "@parley/protocol";

/** One earlier version of a message's text, with the event that replaced it. */
export interface EditView {
  /** The seq of the `edit` event (the original message's seq for the first version). */
  readonly seq: number;
  readonly ts: number;
  readonly text: string;
}

/** One emoji on a message and who put it there, in the order they reacted. */
export interface ReactionView {
  readonly emoji: string;
  readonly users: readonly string[];
}

/** A message as it is now. */
export interface MessageView {
  readonly seq: number;
  readonly id: string;
  readonly cmid: string;
  readonly from: string;
  readonly ts: number;
  readonly kind: string;
  /** The body as stored (a tombstone once deleted). */
  readonly body: Json;
  /** The current text; undefined for messages that are not chat messages (apps' own bodies) and for deleted ones. */
  readonly text: string | undefined;
  readonly edited: boolean;
  /** Every version of the text, oldest first, the current one last (empty when never edited). */
  readonly history: readonly EditView[];
  readonly deleted: boolean;
  /** Emojis in the order they were first added (among those still present). */
  readonly reactions: readonly ReactionView[];
  /** The thread parent, for a reply. */
  readonly replyTo: number | undefined;
  /** The seqs of the replies to this message, ascending (deleted replies stay, as tombstones). */
  readonly replies: readonly number[];
  /** The replies not deleted (what a thread's count shows; the server's thread `count`). */
  readonly replyCount: number;
  /** Users `@`-mentioned by the message as sent (edits do not mention again). */
  readonly mentions: readonly string[];
  /** True when `mentions` includes the current user. */
  readonly mentionsMe: boolean;
}

/** A fresh view of a `message` event (or of any other kind an app displays), before anything refers to it. */
export function viewOf(event: RoomEvent, me: string): MessageView {
  const body = event.body as Record<string, unknown> | null;
  const tombstone = isTombstone(event.body);
  const mentions = tombstone ? [] : mentionsOf(event);
  const replyTo =
    event.kind === "message" && typeof body === "object" && body !== null && typeof body.replyTo === "number"
      ? body.replyTo
      : undefined;
  return {
    seq: event.seq,
    id: event.id,
    cmid: event.cmid,
    from: event.from,
    ts: event.ts,
    kind: event.kind,
    body: event.body,
    text: tombstone ? undefined : textOf(event),
    edited: false,
    history: [],
    deleted: tombstone,
    reactions: [],
    replyTo,
    replies: [],
    replyCount: 0,
    mentions,
    mentionsMe: mentions.includes(me),
  };
}

/** An `edit`: only the author's, only of a live chat message; a tombstoned edit (its message was deleted) changes nothing. */
export function applyEdit(view: MessageView, edit: RoomEvent): MessageView {
  const text = textOf(edit);
  if (view.deleted || view.text === undefined || text === undefined || edit.from !== view.from) return view;
  const first = view.history.length === 0 ? [{ seq: view.seq, ts: view.ts, text: view.text }] : view.history;
  return { ...view, text, edited: true, history: [...first, { seq: edit.seq, ts: edit.ts, text }] };
}

/** A `delete`: the message becomes a tombstone (text, history and reactions go); a second delete changes nothing. */
export function applyDelete(view: MessageView): MessageView {
  if (view.deleted) return view;
  return { ...view, body: { ...TOMBSTONE_BODY }, text: undefined, history: [], deleted: true, reactions: [] };
}

/** A `reaction`: add is idempotent per user and emoji, remove of an absent one is nothing; ignored once deleted. */
export function applyReaction(view: MessageView, reaction: RoomEvent): MessageView {
  const body = reaction.body as { emoji?: unknown; op?: unknown } | null;
  if (view.deleted || typeof body !== "object" || body === null || typeof body.emoji !== "string") return view;
  const { emoji, op } = body;
  const index = view.reactions.findIndex((r) => r.emoji === emoji);
  const users = view.reactions[index]?.users ?? []; // index -1: no reaction with this emoji yet
  const has = users.includes(reaction.from);
  if (op === "add" && !has) return withReaction(view, index, { emoji, users: [...users, reaction.from] });
  if (op === "remove" && has)
    return withReaction(view, index, { emoji, users: users.filter((u) => u !== reaction.from) });
  return view;
}

/** A reply in this message's thread. */
export function applyReply(view: MessageView, reply: RoomEvent): MessageView {
  if (view.replies.includes(reply.seq)) return view;
  return { ...view, replies: [...view.replies, reply.seq].sort((a, b) => a - b) };
}

function withReaction(view: MessageView, index: number, next: ReactionView): MessageView {
  const reactions = [...view.reactions];
  if (index < 0) reactions.push(next);
  else if (next.users.length === 0) reactions.splice(index, 1);
  else reactions[index] = next;
  return { ...view, reactions };
}
