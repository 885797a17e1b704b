/**
 * Parley frames: JSON objects discriminated by `t`. Client frames that expect
 * a reply carry a request `id` (unique per connection); the reply repeats it.
 * See docs/protocol.md for the full specification.
 */
import type { ErrorCode } from "./errors.js";

/** The protocol version this package speaks. */
export const PROTOCOL_VERSION = 1;
/** Every protocol version this package can speak, newest first. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];

/** Any JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * Event kinds. `message` is the only kind sequenced by v1 clients today;
 * the others are reserved so edits, deletes, reactions and receipts can be
 * added without a protocol break. Clients must ignore kinds they do not know.
 */
export type EventKind = "message" | "edit" | "delete" | "reaction" | "receipt" | "system" | (string & {});

/** A sequenced, durable room event, identical for every subscriber. */
export interface RoomEvent {
  readonly room: string;
  /** Contiguous from 1 within the room's epoch. */
  readonly seq: number;
  /** Globally unique event id. */
  readonly id: string;
  /** Sender's user id. */
  readonly from: string;
  /** Server timestamp, milliseconds since the Unix epoch. */
  readonly ts: number;
  readonly kind: EventKind;
  readonly body: Json;
  /** The publisher's clientMsgId, used for dedupe. */
  readonly cmid: string;
}

// ---- client → server ----

export interface ConnectFrame {
  t: "connect";
  id?: number;
  /** Protocol versions the client speaks; the server picks the highest in common. */
  versions: number[];
  /** A JWT; required unless the server runs in dev mode. */
  token?: string;
  /** Dev mode only: the user name to act as. */
  user?: string;
  /** Free-form client name and version, for logs. */
  client?: string;
}
export interface SubscribeFrame {
  t: "sub";
  id: number;
  room: string;
  /** Last seq the client has seen; the server replays `since+1..latest` first. */
  since?: number;
  /** The room epoch the client's `since` belongs to. */
  epoch?: string;
}
export interface UnsubscribeFrame {
  t: "unsub";
  id: number;
  room: string;
}
export interface PublishFrame {
  t: "pub";
  id: number;
  room: string;
  /** Client message id: the dedupe key. Retries reuse it. */
  cmid: string;
  kind?: EventKind;
  body: Json;
}
export interface HistoryFrame {
  t: "history";
  id: number;
  room: string;
  /** Return events with seq < before (newest first page when absent). */
  before?: number;
  /** Return events with seq > after (oldest first). */
  after?: number;
  limit?: number;
}
export interface PresenceQueryFrame {
  t: "presence";
  id: number;
  room: string;
}
export interface TypingFrame {
  t: "typing";
  room: string;
}
/** Asks for the user's unread and mention counts in every room they belong to (see docs/chat.md). */
export interface UnreadQueryFrame {
  t: "unread";
  id: number;
}
/** Full-text search over the chat messages of the rooms the user may read, newest first. */
export interface SearchQueryFrame {
  t: "search";
  id: number;
  q: string;
  /** Only this room. */
  room?: string;
  /** Default and most: historyPageMax. */
  limit?: number;
}
/**
 * Opens the connection's per-user channel (the inbox): the server answers with a snapshot of the
 * user's rooms (`inbox` with this id), then pushes `inbox.room` and `inbox.gone` frames for whatever
 * concerns the user in any room, until the connection closes. Sent again, it answers a fresh snapshot.
 */
export interface InboxQueryFrame {
  t: "inbox";
  id: number;
}
export interface PingFrame {
  t: "ping";
  id?: number;
}
export interface PongFrame {
  t: "pong";
  id?: number;
}

/** Every frame a client may send. */
export type ClientFrame =
  | ConnectFrame
  | SubscribeFrame
  | UnsubscribeFrame
  | PublishFrame
  | HistoryFrame
  | PresenceQueryFrame
  | TypingFrame
  | UnreadQueryFrame
  | SearchQueryFrame
  | InboxQueryFrame
  | PingFrame
  | PongFrame;

// ---- server → client ----

export interface ConnectedFrame {
  t: "connected";
  id?: number;
  version: number;
  session: string;
  user: string;
  /** Server ping interval in ms; the client should consider the link dead after `DEAD_LINK_FACTOR` × this. */
  heartbeatMs: number;
  limits: ConnectionLimits;
}
/** What the server enforces on this connection, announced in `connected`. */
export interface ConnectionLimits {
  maxMessageBytes: number;
  maxSubscriptions: number;
  /**
   * The largest inbound frame (WebSocket message or SSE POST body) in bytes: larger closes a WebSocket
   * with 1009 and refuses an SSE POST with `FRAME_TOO_LARGE`. Absent from servers older than this field.
   */
  maxFrameBytes?: number;
  /**
   * `pub` token bucket of this connection: refills at `publishRate` per second
   * up to `publishBurst` and starts full; a `pub` without a token is refused
   * `RATE_LIMITED`. The user's own bucket (shared by their connections) is
   * already folded in. Absent from servers older than this field.
   */
  publishRate?: number;
  publishBurst?: number;
}
/** Every field of `connected.limits`, for code that must list them (docs checks, the server's own test). */
export const CONNECTION_LIMIT_FIELDS = [
  "maxMessageBytes",
  "maxSubscriptions",
  "maxFrameBytes",
  "publishRate",
  "publishBurst",
] as const satisfies readonly (keyof ConnectionLimits)[];
type Holds<T extends true> = T;
/** Compile-time proof that CONNECTION_LIMIT_FIELDS names every field of ConnectionLimits (fails to build otherwise). */
export type EveryLimitListed = Holds<
  [keyof ConnectionLimits] extends [(typeof CONNECTION_LIMIT_FIELDS)[number]] ? true : false
>;

/**
 * A client should consider its link dead after this many `heartbeatMs` without
 * any inbound frame: one missed ping plus the time a loaded server or network
 * may take to deliver the next one.
 */
export const DEAD_LINK_FACTOR = 2.5;

export interface SubscribedFrame {
  t: "subscribed";
  id: number;
  room: string;
  epoch: string;
  /** The room's latest seq when the subscription began (before replay). */
  lastSeq: number;
  /** False when the requested `since`/`epoch` could not be resumed exactly. */
  recovered: boolean;
}
/**
 * The reply to `unsub`, or, without `id` and with `code`, the server ending a
 * subscription on its own: the user may no longer read the room (FORBIDDEN:
 * they left it, or it became private). Nothing of the room follows it.
 */
export interface UnsubscribedFrame {
  t: "unsubscribed";
  id?: number;
  room: string;
  code?: ErrorCode;
}
export interface EventFrame extends RoomEvent {
  t: "event";
}
export interface AckFrame {
  t: "ack";
  id: number;
  room: string;
  cmid: string;
  seq: number;
  ts: number;
  /** True when the cmid had been accepted before; `seq` is the original. */
  dup: boolean;
}
export interface HistoryPageFrame {
  t: "history";
  id: number;
  room: string;
  epoch: string;
  /** Ascending by seq. */
  events: RoomEvent[];
  hasMore: boolean;
}
export interface PresenceMember {
  user: string;
  connections: number;
}
export interface PresenceListFrame {
  t: "presence";
  id: number;
  room: string;
  members: PresenceMember[];
}
export interface JoinFrame {
  t: "join";
  room: string;
  user: string;
}
export interface LeaveFrame {
  t: "leave";
  room: string;
  user: string;
}
export interface TypingEventFrame {
  t: "typing";
  room: string;
  user: string;
}
/** One room's read position and counts, exact from the store. */
export interface UnreadRoom {
  room: string;
  /** The user's read position (0 = nothing read). */
  lastRead: number;
  /** The room's head. */
  lastSeq: number;
  /** Chat messages from others after lastRead, deleted ones excluded. */
  unread: number;
  /** Of those, the ones that mention the user. */
  mentions: number;
}
export interface UnreadListFrame {
  t: "unread";
  id: number;
  rooms: UnreadRoom[];
}
/** One search result: a chat message's current text. */
export interface SearchHit {
  room: string;
  seq: number;
  from: string;
  ts: number;
  text: string;
  /** Plain-text excerpt around the first match, at most ~200 characters; clients highlight the terms. */
  snippet: string;
}
export interface SearchResultFrame {
  t: "search";
  id: number;
  hits: SearchHit[];
}
/** A room of the user's inbox: what `GET /v1/rooms` lists, with the chat counts of `unread`. */
export interface InboxRoom {
  id: string;
  type: "public" | "private" | "dm";
  /** Empty for a DM. */
  name: string;
  /** The room's head. */
  lastSeq: number;
  /** The user's read position (0 = nothing read). */
  lastReadSeq: number;
  /** Chat messages from others after lastReadSeq, deleted ones excluded. */
  unread: number;
  /** Of those, the ones that mention the user. */
  mentions: number;
}
/** The reply to `inbox`: every room of the user, ordered by id. */
export interface InboxSnapshotFrame {
  t: "inbox";
  id: number;
  rooms: InboxRoom[];
}
/**
 * Why a room entered or changed in the inbox: `created` (the user created it), `added` (another
 * member added the user, or created a private room with them), `joined`, `dm` (a DM's first event,
 * or the DM was opened), `renamed`, `activity` (a message from someone else: counts went up, or a
 * counted message was deleted), `read` (the user's own receipt, from any device).
 */
export type InboxChange = "created" | "added" | "joined" | "dm" | "renamed" | "activity" | "read";
/** Pushed after the snapshot: the room's whole entry now; clients replace theirs with it. */
export interface InboxRoomFrame {
  t: "inbox.room";
  change: InboxChange;
  /** The room event that caused it. */
  seq: number;
  room: InboxRoom;
}
/** Pushed after the snapshot: the room left the inbox (`left`: the user left; `removed`: a moderator removed them). */
export interface InboxGoneFrame {
  t: "inbox.gone";
  change: "left" | "removed" | "deleted";
  seq: number;
  room: string;
}
export interface ErrorFrame {
  t: "error";
  /** The request id this error answers, when it answers one. */
  id?: number;
  code: ErrorCode;
  message: string;
  retryable: boolean;
}

/** Every frame a server may send. */
export type ServerFrame =
  | ConnectedFrame
  | SubscribedFrame
  | UnsubscribedFrame
  | EventFrame
  | AckFrame
  | HistoryPageFrame
  | PresenceListFrame
  | JoinFrame
  | LeaveFrame
  | TypingEventFrame
  | UnreadListFrame
  | SearchResultFrame
  | InboxSnapshotFrame
  | InboxRoomFrame
  | InboxGoneFrame
  | ErrorFrame
  | PingFrame
  | PongFrame;

/** Room ids: 1–128 chars of letters, digits and `_.:@-`. DMs are `dm:<a>:<b>` with a < b. */
export const ROOM_ID_PATTERN = "^[A-Za-z0-9_.:@-]{1,128}$";
/** User ids: 1–64 chars of letters, digits and `_.@-`. */
export const USER_ID_PATTERN = "^[A-Za-z0-9_.@-]{1,64}$";
/** Client message ids: 1–64 printable ASCII chars without spaces. */
export const CMID_PATTERN = "^[\\x21-\\x7e]{1,64}$";
/** Event kinds: lower-case words. */
export const KIND_PATTERN = "^[a-z][a-z0-9._-]{0,31}$";

/**
 * The prefix of every DM room id, matched exactly (case-sensitive): `DM:a:b`
 * is an ordinary room. The server's code (isDmId) and its SQL (chat-sql.ts)
 * both test this one string.
 */
export const DM_PREFIX = "dm:";

/** True when `room` is in the DM namespace (a canonical DM id or a reserved one that admits nobody). */
export function isDmId(room: string): boolean {
  return room.startsWith(DM_PREFIX);
}

/** The canonical room id of the direct-message room between two users (ordered by UTF-16 code units, so `Zoe` < `amy`). */
export function dmRoomId(a: string, b: string): string {
  return a < b ? `${DM_PREFIX}${a}:${b}` : `${DM_PREFIX}${b}:${a}`;
}

/**
 * The two users of a DM room id, or undefined when `room` is not a canonical
 * DM id (`dm:bob:amy` would be a second DM of the pair, `DM:a:b` is no DM at all).
 */
export function dmUsers(room: string): [string, string] | undefined {
  if (!isDmId(room)) return undefined;
  const parts = room.split(":");
  if (parts.length !== 3 || !parts[1] || !parts[2]) return undefined;
  return dmRoomId(parts[1], parts[2]) === room ? [parts[1], parts[2]] : undefined;
}
