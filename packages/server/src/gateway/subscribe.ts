import { ParleyError, type ErrorCode, type SubscribeFrame, type UnsubscribeFrame } from "@parley/protocol";
import { capsAllow } from "../policy/access.js";
import type { EventLog, RoomHead } from "../log/event-log.js";
import { waitForHead } from "../log/wait-for-head.js";
import { EMPTY_PAGE } from "./replay-pages.js";
import type { Caller, SessionPort } from "./session-port.js";
import { Subscription } from "./subscription.js";

/** Events read per page during a resume. */
const REPLAY_PAGE = 256;
/** While replaying, pause when the socket buffer passes this share of maxBufferedBytes. */
const REPLAY_PAUSE_RATIO = 0.5;
const REPLAY_POLL_MS = 10;
/** How long a resume waits for this gateway to reach the client's position in the current epoch. */
const CATCH_UP_MS = 10_000;

/** Where a resume starts and whether it is exact. */
export interface ResumePlan {
  /** Replay events with seq > afterSeq. */
  readonly afterSeq: number;
  readonly recovered: boolean;
}

/**
 * Decides where a subscription starts.
 * - No `since`: live events only (after the current head); recovered.
 * - `epoch` given and different from the room's: the client's position
 *   belongs to a stream that no longer exists; replay the whole current
 *   epoch from seq 1 and say recovered:false.
 * - `since` beyond the head: the stream was reset without the client
 *   knowing the epoch; same as an epoch mismatch. (With the current epoch
 *   named, the resume first waits for this gateway to get there: headAtLeast.)
 * - Otherwise replay since+1.. and say recovered:true.
 * `replayMax` bounds how far back any of these may replay (a token without
 * `history` may only catch up on the last few events): what lies before is
 * skipped as if trimmed, recovered:false.
 */
export function planResume(
  head: RoomHead,
  since: number | undefined,
  epoch: string | undefined,
  replayMax = Infinity,
): ResumePlan {
  const plan = planPosition(head, since, epoch);
  const floor = head.lastSeq - replayMax;
  return plan.afterSeq >= floor ? plan : { afterSeq: floor, recovered: false };
}

function planPosition(head: RoomHead, since: number | undefined, epoch: string | undefined): ResumePlan {
  if (since === undefined) return { afterSeq: head.lastSeq, recovered: true };
  if (epoch !== undefined && epoch !== head.epoch) return { afterSeq: 0, recovered: false };
  if (since > head.lastSeq) return { afterSeq: 0, recovered: false };
  return { afterSeq: since, recovered: true };
}

/**
 * How far back a resume may replay for this session: the past is `history`'s,
 * so a token without it gets at most `resumeWithoutHistory` events, enough to
 * bridge a reconnect but not to read the room's past through `sub … since: 0`.
 */
function replayMaxFor(c: Caller, room: string): number {
  return capsAllow(c.principal.caps, room, "history") ? Infinity : c.session.ctx.config.resumeWithoutHistory;
}

/** `sub`: authorize, register in catch-up mode, replay, go live, join presence. */
export async function handleSubscribe(c: Caller, f: SubscribeFrame): Promise<void> {
  const s = c.session;
  const { ctx } = s;
  if (s.subs.has(f.room)) return s.fail("ALREADY_SUBSCRIBED", undefined, f.id);
  if (s.subs.size >= ctx.config.maxSubscriptionsPerConnection) return s.fail("TOO_MANY_SUBSCRIPTIONS", undefined, f.id);
  // Reserve the slot before awaiting, so a second `sub` or an `unsub` for the room sees it.
  const sub = new Subscription(f.room, s, ctx.config.maxBufferedBytes);
  s.subs.set(f.room, sub);
  try {
    const denied = await admit(c, sub);
    if (sub.ended) return;
    if (denied) return dropAndFail(s, sub, denied, f.id);
    await resume(c, sub, f);
  } catch (err) {
    if (s.subs.get(f.room) === sub) s.subs.delete(f.room);
    sub.end();
    ctx.hub.remove(sub);
    throw err;
  }
  if (!sub.ended && s.state.name === "connected") ctx.presence.join(f.room, s.user, s.id);
}

/**
 * Authorizes `sub` and enters it in the hub (catch-up mode); the refusal, if any. An access
 * change handled while authorizing could not end it (it was not in the hub yet), so then it
 * asks again: any later change finds it in the hub.
 */
async function admit(c: Caller, sub: Subscription): Promise<ErrorCode | undefined> {
  const { hub, policy } = c.session.ctx;
  const ask = () => policy.access.refusal(c.principal, sub.room, "subscribe");
  const revocations = hub.revocations;
  let denied = await ask();
  if (denied || sub.ended) return denied;
  hub.add(sub);
  if (hub.revocations !== revocations) denied = await ask();
  if (denied) hub.remove(sub);
  return denied;
}

function dropAndFail(s: SessionPort, sub: Subscription, code: ErrorCode, id: number): void {
  if (s.subs.get(sub.room) === sub) s.subs.delete(sub.room);
  s.fail(code, undefined, id);
}

/**
 * The room's head, once it reaches `since` when the client names the current epoch. A position in this epoch
 * beyond the head says that this gateway is behind, not that the stream was reset: a redistributor that took
 * over starts from its committed offset, so a gateway joining the room now may lag one that got the events
 * before (the redistributed chaos run saw it), and so may a gateway whose reader lags. Replaying the epoch
 * from 1 would send the client every event again; UNAVAILABLE (retryable) when it does not catch up in time.
 */
async function headAtLeast(log: EventLog, f: SubscribeFrame): Promise<RoomHead> {
  const reached = (h: RoomHead) => f.since === undefined || f.epoch !== h.epoch || f.since <= h.lastSeq;
  const head = await waitForHead(log, f.room, reached, CATCH_UP_MS);
  if (!head)
    throw new ParleyError("UNAVAILABLE", `this gateway has not reached seq ${f.since} of ${f.room} yet; retry`);
  return head;
}

/**
 * The race-free resume. The subscription is in the hub (buffering live
 * events) before the head and the first page are read, so any event is
 * either in what we read or in the buffer; `lastSent` drops the overlap.
 */
async function resume(c: Caller, sub: Subscription, f: SubscribeFrame): Promise<void> {
  const s = c.session;
  const { ctx } = s;
  const head = await headAtLeast(ctx.log, f);
  const plan = planResume(head, f.since, f.epoch, replayMaxFor(c, f.room));
  const pageAfter = (after: number) => ctx.hub.replayPage(f.room, head.epoch, after, REPLAY_PAGE);
  let page = plan.afterSeq < head.lastSeq ? await pageAfter(plan.afterSeq) : EMPTY_PAGE;
  if (sub.ended) return;
  // Retention trimmed the requested range: what we can send starts later than asked.
  const first = page.events[0];
  const trimmed = first !== undefined && first.seq !== plan.afterSeq + 1;
  sub.lastSent = plan.afterSeq;
  s.reply({
    t: "subscribed",
    id: f.id,
    room: f.room,
    epoch: head.epoch,
    lastSeq: head.lastSeq,
    recovered: plan.recovered && !trimmed,
  });
  while (page.events.length > 0) {
    sub.replayPage(page);
    // Drain below the pause mark before the next page and before going live: replay is paced
    // here, not checked against maxBufferedBytes, but live frames are (see Subscription.replay).
    if (!(await whenWritable(s)) || sub.ended) return;
    if (page.events.length < REPLAY_PAGE) break;
    page = await pageAfter(sub.lastSent);
    if (sub.ended) return;
  }
  if (!sub.ended) sub.goLive();
}

/** Waits until the replaying connection drained below the pause mark; false if it closed meanwhile. */
async function whenWritable(s: SessionPort): Promise<boolean> {
  const mark = s.ctx.config.maxBufferedBytes * REPLAY_PAUSE_RATIO;
  while (s.state.name === "connected" && s.bufferedBytes() > mark) {
    await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
  }
  return s.state.name === "connected";
}

/** `unsub`: stops delivery at once (even mid-resume) and leaves presence. */
export function handleUnsubscribe(s: SessionPort, f: UnsubscribeFrame): void {
  const sub = s.subs.get(f.room);
  if (!sub) return s.fail("NOT_SUBSCRIBED", undefined, f.id);
  stop(s, sub);
  s.reply({ t: "unsubscribed", id: f.id, room: f.room });
}

/**
 * The server ends a subscription: the user lost access to the room (left it,
 * or it became private). `unsubscribed` without an id and with the reason.
 */
export function revokeSubscription(s: SessionPort, sub: Subscription, code: ErrorCode): void {
  if (s.subs.get(sub.room) !== sub) return;
  stop(s, sub);
  s.reply({ t: "unsubscribed", room: sub.room, code });
}

/** Stops delivery at once (even mid-resume) and leaves presence. */
function stop(s: SessionPort, sub: Subscription): void {
  s.subs.delete(sub.room);
  sub.end();
  s.ctx.hub.remove(sub);
  s.ctx.presence.leave(sub.room, s.user, s.id);
}
