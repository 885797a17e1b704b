/**
 * The history checker: pure judgement of a recorded run against Parley's
 * invariants (docs/reliability.md lists them). No I/O, no clocks, so it is
 * unit-tested with hand-made good and bad histories.
 */
import type {
  ChaosHistory,
  PublishRecord,
  RoomHistory,
  SeenEvent,
  SubscriptionRecord,
  Violation,
  ViolationKind,
} from "./history.js";
import { checkChatFold } from "./chat-fold-checker.js";

/** Counts of what was checked, for the verdict line. */
export interface CheckCounts {
  /** Publishes acked at least once: each one is checked against history and every subscriber that stayed. */
  readonly ackedMessages: number;
  /** Publishes given up with a non-retryable error. */
  readonly refusedPublishes: number;
  /** Acked publishes of publishers that promise their order (`PublishRecord.fifo`), checked for it. */
  readonly orderedPublishes: number;
  /** Acked publishes per event kind (message, edit, delete, reaction, receipt, …). */
  readonly ackedByKind: Readonly<Record<string, number>>;
  /** Event frames received by all subscriptions. */
  readonly deliveries: number;
  /** Events in the final histories. */
  readonly historyEvents: number;
  readonly subscriptions: number;
  readonly rooms: number;
}

/** The checker's answer. `violations` is capped; `violationCount` is not. */
export interface CheckResult {
  readonly ok: boolean;
  readonly counts: CheckCounts;
  readonly violationCount: number;
  readonly violations: readonly Violation[];
}

const MAX_REPORTED = 200;

class ViolationLog {
  count = 0;
  readonly list: Violation[] = [];
  add(kind: ViolationKind, room: string, detail: string): void {
    this.count++;
    if (this.list.length < MAX_REPORTED) this.list.push({ kind, room, detail });
  }
}

/** Checks a recorded history; see {@link CheckResult}. */
export function checkHistory(history: ChaosHistory): CheckResult {
  const log = new ViolationLog();
  const rooms = new Map<string, Map<number, SeenEvent>>();
  for (const room of history.rooms) rooms.set(room.room, checkRoomHistory(room, log));
  const acked = history.publishes.filter((p) => p.acks.length > 0);
  for (const publish of acked) checkAckedPublish(publish, rooms.get(publish.room), log);
  for (const publish of history.publishes) checkRefusedWrite(publish, history.rooms, log);
  checkPublisherOrder(acked, log);
  const ackedByRoom = groupAckedByRoom(acked);
  const published = new Map(history.publishes.map((p) => [p.cmid, p]));
  for (const room of history.rooms) checkChatFold(room, published, log);
  for (const sub of history.subscriptions) {
    checkSubscription(sub, rooms.get(sub.room), ackedByRoom.get(sub.room) ?? [], log);
  }
  const counts: CheckCounts = {
    ackedMessages: acked.length,
    refusedPublishes: history.publishes.filter((p) => p.acks.length === 0 && p.error !== undefined).length,
    orderedPublishes: acked.filter((p) => p.fifo).length,
    ackedByKind: countByKind(acked),
    deliveries: history.subscriptions.reduce((n, s) => n + s.events.length, 0),
    historyEvents: history.rooms.reduce((n, r) => n + r.events.length, 0),
    subscriptions: history.subscriptions.length,
    rooms: history.rooms.length,
  };
  return { ok: log.count === 0, counts, violationCount: log.count, violations: log.list };
}

/** Seqs contiguous from 1, each cmid stored once; returns the room's events by seq. */
function checkRoomHistory(room: RoomHistory, log: ViolationLog): Map<number, SeenEvent> {
  const bySeq = new Map<number, SeenEvent>();
  const cmids = new Map<string, number>();
  room.events.forEach((event, index) => {
    if (event.seq !== index + 1) log.add("history-gap", room.room, `position ${index} holds seq ${event.seq}`);
    const earlier = cmids.get(event.cmid);
    if (earlier !== undefined) {
      log.add("history-duplicate-cmid", room.room, `cmid ${event.cmid} at seq ${earlier} and ${event.seq}`);
    }
    cmids.set(event.cmid, event.seq);
    bySeq.set(event.seq, event);
  });
  return bySeq;
}

/** An acked publish keeps one seq across retries, and history holds it at that seq. */
function checkAckedPublish(p: PublishRecord, history: Map<number, SeenEvent> | undefined, log: ViolationLog): void {
  const seq = p.acks[0]!;
  if (p.acks.some((s) => s !== seq)) log.add("ack-seq-changed", p.room, `cmid ${p.cmid} acked as ${p.acks.join(",")}`);
  const stored = history?.get(seq);
  if (!stored) log.add("acked-not-in-history", p.room, `cmid ${p.cmid} acked seq ${seq}, history has no such seq`);
  else if (stored.cmid !== p.cmid) {
    log.add("acked-seq-mismatch", p.room, `cmid ${p.cmid} acked seq ${seq}, history has ${stored.cmid} there`);
  }
}

/** A publish refused as FORBIDDEN must not have reached the room. */
function checkRefusedWrite(p: PublishRecord, rooms: readonly RoomHistory[], log: ViolationLog): void {
  if (p.error !== "FORBIDDEN") return;
  const room = rooms.find((r) => r.room === p.room);
  if (room?.events.some((e) => e.cmid === p.cmid))
    log.add("unauthorized-write", p.room, `refused cmid ${p.cmid} is stored`);
}

/**
 * FIFO per publisher per room: a publisher that promises its order has each
 * room's acked publishes sequenced in the order it made them (`publishes` is
 * in that order). One violation per publish sequenced before an earlier one.
 */
function checkPublisherOrder(acked: readonly PublishRecord[], log: ViolationLog): void {
  const latest = new Map<string, PublishRecord>();
  for (const p of acked) {
    if (!p.fifo) continue;
    const key = `${p.client}\u0000${p.room}`;
    const before = latest.get(key);
    const seq = p.acks[0]!;
    if (before && seq < before.acks[0]!) {
      log.add(
        "publisher-order",
        p.room,
        `${p.client}'s ${p.cmid} (seq ${seq}) was sequenced before its earlier ${before.cmid} (seq ${before.acks[0]})`,
      );
    } else latest.set(key, p);
  }
}

function groupAckedByRoom(acked: readonly PublishRecord[]): Map<string, PublishRecord[]> {
  const byRoom = new Map<string, PublishRecord[]>();
  for (const p of acked) {
    let list = byRoom.get(p.room);
    if (!list) byRoom.set(p.room, (list = []));
    list.push(p);
  }
  return byRoom;
}

/**
 * One subscription: read rights, no duplicate, no gap (which also means one
 * order for all), the same event at each seq as history, and, for those that
 * stayed, every acked message after its start.
 */
function checkSubscription(
  sub: SubscriptionRecord,
  history: Map<number, SeenEvent> | undefined,
  acked: readonly PublishRecord[],
  log: ViolationLog,
): void {
  const who = `${sub.client}`;
  if (!sub.mayRead) {
    if (sub.events.length > 0) log.add("unauthorized-read", sub.room, `${who} received ${sub.events.length} events`);
    return;
  }
  const seen = checkDeliveryOrder(sub, history, log);
  if (sub.stayed) {
    for (const p of acked) {
      const seq = p.acks[0]!;
      if (seq > sub.startAfter && !seen.has(seq)) {
        log.add("acked-not-delivered", sub.room, `${who} never received seq ${seq} (cmid ${p.cmid})`);
      }
    }
  }
  if (new Set(sub.epochs).size > 1) log.add("epoch-changed", sub.room, `${who} saw epochs ${sub.epochs.join(",")}`);
  if (sub.notRecovered > 0) log.add("not-recovered", sub.room, `${who} resumed with recovered=false`);
}

/** Returns the set of seqs received. */
function checkDeliveryOrder(
  sub: SubscriptionRecord,
  history: Map<number, SeenEvent> | undefined,
  log: ViolationLog,
): Set<number> {
  const seen = new Set<number>();
  let next = sub.startAfter + 1;
  for (const event of sub.events) {
    if (seen.has(event.seq)) {
      log.add("duplicate-delivery", sub.room, `${sub.client} received seq ${event.seq} twice`);
      continue;
    }
    if (event.seq !== next) log.add("delivery-gap", sub.room, `${sub.client} expected seq ${next}, got ${event.seq}`);
    seen.add(event.seq);
    next = Math.max(next, event.seq + 1);
    const stored = history?.get(event.seq);
    if (!stored || stored.cmid !== event.cmid || stored.id !== event.id) {
      const what = stored ? `history has ${stored.cmid}/${stored.id}` : "history has none";
      log.add(
        "delivery-mismatch",
        sub.room,
        `${sub.client} got ${event.cmid}/${event.id} at seq ${event.seq}, ${what}`,
      );
    }
  }
  return seen;
}

function countByKind(acked: readonly PublishRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of acked) counts[p.kind ?? "message"] = (counts[p.kind ?? "message"] ?? 0) + 1;
  return counts;
}
