import {
  encodeFrame,
  utf8Length,
  type ClientFrame,
  type HistoryFrame,
  type Json,
  type PresenceQueryFrame,
  type PublishFrame,
  type RoomEvent,
  type SearchQueryFrame,
  type UnreadQueryFrame,
  type TypingFrame,
} from "@parley/protocol";
import { authorize, capsAllow } from "../policy/access.js";
import type { Capability } from "../auth/principal.js";
import { checkPublish } from "../policy/publish-rules.js";
import { searchFor, unreadFor } from "../policy/chat-reads.js";
import { queryProblem } from "../chat/search-text.js";
import type { AppendResult } from "../log/event-log.js";
import { OutboundFrame } from "../transport/outbound-frame.js";
import { ArrivalOrder } from "./arrival-order.js";
import type { Session } from "./session.js";
import { handleSubscribe, handleUnsubscribe } from "./subscribe.js";

/** Routes a frame of a connected session to its handler. */
export function dispatchConnected(s: Session, frame: ClientFrame): Promise<void> | void {
  switch (frame.t) {
    case "sub":
      return handleSubscribe(s, frame);
    case "unsub":
      return handleUnsubscribe(s, frame);
    case "pub":
      return handlePublish(s, frame);
    case "history":
      return handleHistory(s, frame);
    case "presence":
      return handlePresence(s, frame);
    case "typing":
      return handleTyping(s, frame);
    case "unread":
      return handleUnread(s, frame);
    case "search":
      return handleSearch(s, frame);
    case "ping":
      return s.reply(frame.id === undefined ? { t: "pong" } : { t: "pong", id: frame.id });
    case "pong":
      return; // liveness was already refreshed on receipt
    case "connect":
      return s.fail("ALREADY_CONNECTED", undefined, frame.id);
  }
}

/** Fails the request and resolves false when `action` on `room` is not allowed. */
async function allowed(s: Session, room: string, action: Capability, id: number): Promise<boolean> {
  const denied = await authorize(s.principal!, room, action, s.ctx.store);
  if (denied) s.fail(denied, undefined, id);
  return denied === undefined && s.state === "connected";
}

/** Every connection's publishes, per room, in arrival order (session ids are unique, so one for the process). */
const arrivals = new ArrivalOrder();

/**
 * `pub`: rate limits, size limit, authorization and chat rules
 * (chat/publish-rules.ts), append, then `ack` once durable. The checks of a
 * connection's publishes run concurrently, but they reach the log in the
 * order they arrived (arrival-order.ts).
 */
async function handlePublish(s: Session, f: PublishFrame): Promise<void> {
  const { ctx } = s;
  const started = process.hrtime.bigint();
  const now = Date.now();
  if (!s.takePublish(now) || !ctx.userBucket(s.user).take(now)) {
    ctx.metrics.publishes.inc({ outcome: "rate_limited" });
    return s.fail("RATE_LIMITED", undefined, f.id);
  }
  const body = f.body as Json;
  if (utf8Length(JSON.stringify(body)) > ctx.config.maxMessageBytes) {
    ctx.metrics.publishes.inc({ outcome: "too_large" });
    return s.fail("MESSAGE_TOO_LARGE", undefined, f.id);
  }
  const command = { room: f.room, cmid: f.cmid, from: s.user, kind: f.kind ?? "message", body };
  const turn = arrivals.enter(s.id, f.room);
  let appended: Promise<AppendResult>;
  try {
    const refused = await checkPublish(s.principal!, command, ctx);
    if (refused) {
      ctx.metrics.publishes.inc({ outcome: refused.code === "FORBIDDEN" ? "forbidden" : "rejected" });
      return s.fail(refused.code, refused.message, f.id);
    }
    await turn.ready;
    if (s.state !== "connected") return;
    appended = ctx.log.append(command);
  } finally {
    turn.done();
  }
  const { event, duplicate } = await appended;
  s.reply({ t: "ack", id: f.id, room: f.room, cmid: f.cmid, seq: event.seq, ts: event.ts, dup: duplicate });
  ctx.metrics.publishes.inc({ outcome: duplicate ? "duplicate" : "ok" });
  ctx.metrics.ackLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
}

/**
 * `history`: one ascending page. With `after`, the oldest events after it
 * (bounded above by `before` when both are given); otherwise the newest
 * events before `before` (or the head). hasMore says whether the page was cut.
 */
async function handleHistory(s: Session, f: HistoryFrame): Promise<void> {
  const { ctx } = s;
  if (!(await allowed(s, f.room, "history", f.id))) return;
  const limit = Math.min(f.limit ?? ctx.config.historyPageMax, ctx.config.historyPageMax);
  const head = await ctx.log.head(f.room);
  let events: RoomEvent[];
  let hasMore: boolean;
  if (f.after !== undefined) {
    const before = f.before;
    events = (await ctx.log.read(f.room, f.after, limit + 1)).filter((e) => before === undefined || e.seq < before);
    hasMore = events.length > limit;
    if (hasMore) events = events.slice(0, limit);
  } else {
    events = await ctx.log.readBefore(f.room, f.before ?? head.lastSeq + 1, limit + 1);
    hasMore = events.length > limit;
    if (hasMore) events = events.slice(1);
  }
  s.reply({ t: "history", id: f.id, room: f.room, epoch: head.epoch, events, hasMore });
}

/** `presence`: the room's members as this node's Presence knows them. */
async function handlePresence(s: Session, f: PresenceQueryFrame): Promise<void> {
  if (!(await allowed(s, f.room, "presence", f.id))) return;
  s.reply({ t: "presence", id: f.id, room: f.room, members: s.ctx.presence.members(f.room) });
}

/**
 * `typing`: only from a subscriber of the room (which implies it may read
 * it) that may also `publish` there (a notice announces a message; a reader
 * cannot send one), rate limited, relayed to the room's other live
 * subscribers, never stored.
 */
function handleTyping(s: Session, f: TypingFrame): void {
  if (!s.subs.has(f.room)) return s.fail("NOT_SUBSCRIBED");
  if (!capsAllow(s.principal!.caps, f.room, "publish")) return s.fail("FORBIDDEN");
  if (!s.takeTyping(Date.now())) return s.fail("RATE_LIMITED");
  const frame = new OutboundFrame(encodeFrame({ t: "typing", room: f.room, user: s.user }));
  s.ctx.hub.broadcast(f.room, frame, s);
}

/** `unread`: the user's read position and counts per room, exact from the store (docs/chat.md). */
async function handleUnread(s: Session, f: UnreadQueryFrame): Promise<void> {
  const rooms = await unreadFor(s.principal!, s.ctx.store);
  s.reply({ t: "unread", id: f.id, rooms });
}

/** `search`: plain words in the rooms the user may read; one room when `room` is given. */
async function handleSearch(s: Session, f: SearchQueryFrame): Promise<void> {
  const problem = queryProblem(f.q);
  if (problem !== undefined) return s.fail("BAD_FRAME", problem, f.id);
  if (f.room !== undefined && !(await allowed(s, f.room, "history", f.id))) return;
  const limit = Math.min(f.limit ?? s.ctx.config.historyPageMax, s.ctx.config.historyPageMax);
  const hits = await searchFor(s.principal!, s.ctx.store, { q: f.q, room: f.room, limit });
  s.reply({ t: "search", id: f.id, hits });
}
