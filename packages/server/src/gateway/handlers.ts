import {
  type ClientFrame,
  type HistoryFrame,
  type Json,
  type PresenceQueryFrame,
  type PublishFrame,
  type SearchQueryFrame,
  type UnreadQueryFrame,
  type InboxQueryFrame,
  type TypingFrame,
} from "@parley/protocol";
import { capsAllow } from "../policy/access.js";
import type { Capability } from "../auth/principal.js";
import { searchFor, unreadFor } from "../policy/chat-reads.js";
import { queryProblem } from "../chat/search-text.js";
import { ArrivalOrder } from "./arrival-order.js";
import type { Caller } from "./session-port.js";
import { handleSubscribe, handleUnsubscribe } from "./subscribe.js";
import { UserInbox } from "./inbox.js";

/** Routes a frame of a connected session to its handler. */
export function dispatchConnected(c: Caller, frame: ClientFrame): Promise<void> | void {
  const s = c.session;
  switch (frame.t) {
    case "sub":
      return handleSubscribe(c, frame);
    case "unsub":
      return handleUnsubscribe(s, frame);
    case "pub":
      return handlePublish(c, frame);
    case "history":
      return handleHistory(c, frame);
    case "presence":
      return handlePresence(c, frame);
    case "typing":
      return handleTyping(c, frame);
    case "unread":
      return handleUnread(c, frame);
    case "search":
      return handleSearch(c, frame);
    case "inbox":
      return handleInbox(c, frame);
    case "ping":
      return s.reply(frame.id === undefined ? { t: "pong" } : { t: "pong", id: frame.id });
    case "pong":
      return; // liveness was already refreshed on receipt
    case "connect":
      return s.fail("ALREADY_CONNECTED", undefined, frame.id);
  }
}

/** Fails the request and resolves false when `action` on `room` is not allowed. */
async function allowed(c: Caller, room: string, action: Capability, id: number): Promise<boolean> {
  const { session: s, principal } = c;
  const denied = await s.ctx.policy.access.refusal(principal, room, action);
  if (denied) s.fail(denied, undefined, id);
  return denied === undefined && s.state.name === "connected";
}

/** Every connection's publishes, per room, in arrival order (session ids are unique, so one for the process). */
const arrivals = new ArrivalOrder();

/**
 * `pub`: the publish pipeline (policy/publish.ts), then `ack` once durable.
 * The checks of a connection's publishes run concurrently, but they reach the
 * log in the order they arrived (arrival-order.ts). A refusal is thrown and
 * answered as an error frame by the session.
 */
async function handlePublish(c: Caller, f: PublishFrame): Promise<void> {
  const { session: s, principal } = c;
  const result = await s.ctx.policy.publisher.publish({
    principal,
    command: { room: f.room, cmid: f.cmid, from: principal.user, kind: f.kind ?? "message", body: f.body as Json },
    // A publish counts against its connection's bucket and its user's, which REST publishes share.
    takeToken: (now) => s.takePublish(now) && s.ctx.userBucket(principal.user).take(now),
    takeTurn: () => arrivals.enter(s.id, f.room),
    live: () => s.state.name === "connected",
  });
  if (!result) return;
  const { event, duplicate } = result;
  s.reply({ t: "ack", id: f.id, room: f.room, cmid: f.cmid, seq: event.seq, ts: event.ts, dup: duplicate });
}

/** `history`: one ascending page (policy/history.ts). */
async function handleHistory(c: Caller, f: HistoryFrame): Promise<void> {
  const page = await c.session.ctx.policy.history.page(c.principal, f);
  c.session.reply({ t: "history", id: f.id, room: f.room, ...page });
}

/** `presence`: the room's members as this node's Presence knows them. */
async function handlePresence(c: Caller, f: PresenceQueryFrame): Promise<void> {
  const s = c.session;
  if (!(await allowed(c, f.room, "presence", f.id))) return;
  s.reply({ t: "presence", id: f.id, room: f.room, members: s.ctx.presence.members(f.room) });
}

/**
 * `typing`: only from a subscriber of the room (which implies it may read
 * it) that may also `publish` there (a notice announces a message; a reader
 * cannot send one), rate limited, relayed to the room's other live
 * subscribers on every node, never stored.
 */
function handleTyping(c: Caller, f: TypingFrame): void {
  const { session: s, principal } = c;
  if (!s.subs.has(f.room)) return s.fail("NOT_SUBSCRIBED");
  if (!capsAllow(principal.caps, f.room, "publish")) return s.fail("FORBIDDEN");
  if (!s.takeTyping(Date.now())) return s.fail("RATE_LIMITED");
  s.ctx.typed(f.room, s.user, s);
}

/** `unread`: the user's read position and counts per room, exact from the store (docs/chat.md). */
async function handleUnread(c: Caller, f: UnreadQueryFrame): Promise<void> {
  const { session: s, principal } = c;
  const rooms = await unreadFor(principal, s.ctx.store);
  s.reply({ t: "unread", id: f.id, rooms });
}

/** `search`: plain words in the rooms the user may read; one room when `room` is given. */
async function handleSearch(c: Caller, f: SearchQueryFrame): Promise<void> {
  const { session: s, principal } = c;
  const problem = queryProblem(f.q);
  if (problem !== undefined) return s.fail("BAD_FRAME", problem, f.id);
  if (f.room !== undefined && !(await allowed(c, f.room, "history", f.id))) return;
  const limit = Math.min(f.limit ?? s.ctx.config.historyPageMax, s.ctx.config.historyPageMax);
  const hits = await searchFor(principal, s.ctx.store, { q: f.q, room: f.room, limit });
  s.reply({ t: "search", id: f.id, hits });
}

/**
 * `inbox`: opens the connection's per-user channel (gateway/inbox.ts), replacing one opened
 * before: the snapshot answers `id`, then changes are pushed until the connection closes.
 */
async function handleInbox(c: Caller, f: InboxQueryFrame): Promise<void> {
  const s = c.session;
  const hub = s.ctx.inboxes;
  if (s.inbox) hub.remove(s.inbox);
  const inbox = new UserInbox(
    {
      principal: c.principal,
      reply: (frame) => {
        s.reply(frame);
        if (frame.t !== "inbox") s.ctx.metrics.inboxPushes.inc();
      },
      follow: (which, room, on) => hub.follow(which, room, on),
      failed: (err) => s.ctx.logger.error({ err, session: s.id }, "inbox update failed"),
    },
    s.ctx.policy.inbox,
  );
  s.inbox = inbox;
  hub.add(inbox);
  try {
    await inbox.start(f.id);
  } catch (err) {
    if (s.inbox === inbox) s.inbox = undefined;
    hub.remove(inbox);
    throw err;
  } finally {
    hub.loaded(inbox);
  }
}
