/**
 * Chat event kinds: what the bodies of `message`, `edit`, `delete`,
 * `reaction` and `receipt` events mean. Every one of them is an ordinary
 * sequenced event (published with `pub`, deduped by cmid, replayed on
 * resume); this file only fixes their body shapes so the server can check
 * them and every client folds them the same way. See docs/chat.md.
 */
import type { Json, RoomEvent } from "./frames.js";

/** The kinds with a meaning; other kinds pass through the server unchecked (apps may define their own). */
export const CHAT_KINDS = ["message", "edit", "delete", "reaction", "receipt"] as const;
export type ChatKind = (typeof CHAT_KINDS)[number];

/** Kinds only the server may write; a `pub` with one of them is refused with BAD_EVENT. */
export const SERVER_KINDS: readonly string[] = ["system"];

/**
 * A `message`. Bodies are free-form JSON; a message is a *chat* message when
 * `text` is a string. `replyTo` makes it a reply in the thread of that seq
 * (a message of the same room). Mentions are not sent: they are the `@user`
 * tokens of `text` (see extractMentions), so no client can disagree on them.
 */
export interface MessageBody {
  readonly text: string;
  readonly replyTo?: number;
  readonly [extra: string]: Json | undefined;
}

/** An `edit`: the new text of message `target`. Only its author may edit it. */
export interface EditBody {
  readonly target: number;
  readonly text: string;
}

/** A `delete`: message `target` becomes a tombstone; its text and its edits' texts leave the store and search. */
export interface DeleteBody {
  readonly target: number;
}

/** A `reaction`: add or remove `emoji` by the sender on message `target`. */
export interface ReactionBody {
  readonly target: number;
  readonly emoji: string;
  readonly op: "add" | "remove";
}

/** A `receipt`: the sender has read the room up to and including `upTo`. Read positions never move back. */
export interface ReceiptBody {
  readonly upTo: number;
}

/**
 * The body of a `system` event that narrows who may read its room, written
 * by the server (docs/chat.md, "Membership events"): `member.left` when
 * `user` left a private room, `room.private` when the room was created
 * private (seq 1) and only `members` may read it, `room.deleted` when the
 * server API deleted the room and nobody may read it any more (its last event).
 * Every gateway ends the open subscriptions of the users it excludes before it
 * delivers anything later.
 * `name` is the created room's name (absent from events written before it was added).
 */
export type AccessBody =
  | { readonly type: "member.left"; readonly user: string }
  | { readonly type: "room.private"; readonly members: readonly string[]; readonly name?: string }
  | { readonly type: "room.deleted" };

/**
 * Every membership change the server sequences in a room as a `system` event; the event's `from`
 * is who made it. Beside the access changes: `member.joined` (`user` joined, or `from` added them),
 * `member.left` with `open: true` (left a public room, which stays open to them: it shuts nobody
 * out), `room.created` (a public room or a DM was created; seq 1), `room.renamed`. The inbox of
 * every gateway follows them (docs/protocol.md, "Inbox").
 */
export type MembershipBody =
  | AccessBody
  | { readonly type: "member.joined"; readonly user: string }
  | { readonly type: "member.left"; readonly user: string; readonly open: true }
  | { readonly type: "room.created"; readonly members: readonly string[]; readonly name: string }
  | { readonly type: "room.renamed"; readonly name: string };

/** The membership change a `system` event records, or undefined when it records none (or is malformed). */
export function membershipOf(e: Pick<RoomEvent, "kind" | "body">): MembershipBody | undefined {
  if (e.kind !== "system" || typeof e.body !== "object" || e.body === null || Array.isArray(e.body)) return undefined;
  const b = e.body as Record<string, unknown>;
  const str = (v: unknown): v is string => typeof v === "string";
  const users = (v: unknown): v is string[] => Array.isArray(v) && v.every(str);
  switch (b.type) {
    case "member.joined":
    case "member.left":
      return str(b.user) ? (b as unknown as MembershipBody) : undefined;
    case "room.private":
      return users(b.members) ? (b as unknown as MembershipBody) : undefined;
    case "room.created":
      return users(b.members) && str(b.name) ? (b as unknown as MembershipBody) : undefined;
    case "room.renamed":
      return str(b.name) ? (b as unknown as MembershipBody) : undefined;
    case "room.deleted":
      return b as unknown as MembershipBody;
    default:
      return undefined;
  }
}

/** The users a `system` event shuts out of its room, as a test; undefined when it is no access change. */
export function excludedBy(e: Pick<RoomEvent, "kind" | "body">): ((user: string) => boolean) | undefined {
  const m = membershipOf(e);
  if (m?.type === "member.left" && !("open" in m && m.open)) return (user) => user === m.user;
  if (m?.type === "room.private") {
    const members = new Set(m.members);
    return (user) => !members.has(user);
  }
  if (m?.type === "room.deleted") return () => true;
  return undefined;
}

/** The body a stored message has once deleted (what history and replays return). */
export const TOMBSTONE_BODY = { deleted: true } as const;

/** True when `body` is TOMBSTONE_BODY: the stored body of a deleted message or of an edit of one. */
export function isTombstone(body: unknown): boolean {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const keys = Object.keys(body);
  return keys.length === 1 && (body as Record<string, unknown>).deleted === TOMBSTONE_BODY.deleted;
}

/** Longest text of a message or an edit, in UTF-16 code units (the byte limit applies too). */
export const MAX_TEXT_LENGTH = 16_000;
/** Longest emoji string of a reaction, in UTF-16 code units (covers ZWJ sequences and skin tones). */
export const MAX_EMOJI_LENGTH = 32;

/** Why a chat body is malformed, or undefined when it is fine. Only shape: targets are checked by the server. */
export function checkChatBody(kind: string, body: unknown): string | undefined {
  switch (kind) {
    case "message":
      return checkMessage(body);
    case "edit":
      return checkObject(body, ["target", "text"]) ?? checkSeq(body, "target") ?? checkText(body);
    case "delete":
      return checkObject(body, ["target"]) ?? checkSeq(body, "target");
    case "reaction":
      return checkObject(body, ["target", "emoji", "op"]) ?? checkSeq(body, "target") ?? checkReaction(body);
    case "receipt":
      return checkObject(body, ["upTo"]) ?? checkSeq(body, "upTo");
    default:
      return SERVER_KINDS.includes(kind) ? `kind ${kind} is reserved for the server` : undefined;
  }
}

/** The seq an event refers to: the target of an edit, delete or reaction, the parent of a reply. */
export function targetOf(e: Pick<RoomEvent, "kind" | "body">): number | undefined {
  const body = e.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) return undefined;
  if (e.kind === "edit" || e.kind === "delete" || e.kind === "reaction") return body.target as number;
  if (e.kind === "message" && typeof body.replyTo === "number") return body.replyTo;
  return undefined;
}

/** The text of a chat message or an edit, or undefined for any other event. */
export function textOf(e: Pick<RoomEvent, "kind" | "body">): string | undefined {
  if (e.kind !== "message" && e.kind !== "edit") return undefined;
  const body = e.body as Record<string, unknown> | null;
  return typeof body === "object" && body !== null && typeof body.text === "string" ? body.text : undefined;
}

// A mention is `@` + a user id, at the start or after a character that cannot be part of a word or an e-mail.
const MENTION = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.@-]{1,64})/g;

/** The distinct users `@`-mentioned in `text`, in order of first mention (trailing dots are punctuation). */
export function extractMentions(text: string): string[] {
  const seen = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const [, , name = ""] = match; // the group always takes part in a match
    const user = name.replace(/\.+$/, "");
    if (user.length > 0) seen.add(user);
  }
  return [...seen];
}

/** The users an event mentions: those of a message's text (edits do not notify again). */
export function mentionsOf(e: Pick<RoomEvent, "kind" | "body">): string[] {
  if (e.kind !== "message") return [];
  const text = textOf(e);
  return text === undefined ? [] : extractMentions(text);
}

function checkMessage(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined; // free-form, not chat
  const b = body as Record<string, unknown>;
  if ("text" in b && typeof b.text !== "string") return "message text must be a string";
  if (typeof b.text === "string" && b.text.length > MAX_TEXT_LENGTH) return "message text is too long";
  if ("replyTo" in b) return checkSeq(b, "replyTo");
  return undefined;
}

function checkObject(body: unknown, keys: readonly string[]): string | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return "body must be an object";
  const extra = Object.keys(body).find((k) => !keys.includes(k));
  return extra === undefined ? undefined : `unexpected field ${extra}`;
}

function checkSeq(body: unknown, key: string): string | undefined {
  const v = (body as Record<string, unknown>)[key];
  return Number.isSafeInteger(v) && (v as number) >= 1 ? undefined : `${key} must be a seq (an integer ≥ 1)`;
}

function checkText(body: unknown): string | undefined {
  const text = (body as Record<string, unknown>).text;
  if (typeof text !== "string" || text.trim().length === 0) return "text must be a non-empty string";
  return text.length > MAX_TEXT_LENGTH ? "text is too long" : undefined;
}

function checkReaction(body: unknown): string | undefined {
  const { emoji, op } = body as Record<string, unknown>;
  if (op !== "add" && op !== "remove") return 'op must be "add" or "remove"';
  if (typeof emoji !== "string" || emoji.length === 0 || emoji.length > MAX_EMOJI_LENGTH) {
    return `emoji must be a string of 1–${MAX_EMOJI_LENGTH} characters`;
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this check rejects
  return /[\s\u0000-\u001f\u007f]/.test(emoji) ? "emoji must not contain spaces or control characters" : undefined;
}
