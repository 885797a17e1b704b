/**
 * The chat half of the history checker: does what the store returns agree
 * with the fold of the log (docs/chat.md)? Pure, like history-checker.ts.
 * Per room, from the final history (which carries kinds and bodies):
 * - a message some `delete` targets, and every `edit` of it, reads back as
 *   the tombstone; nothing else does (`tombstone-missing`, `unexpected-tombstone`);
 * - every acked publish is stored with its kind (`stored-kind-mismatch`) and,
 *   unless the rule above removed it, exactly its body: an acked edit,
 *   reaction, receipt or message is visible as sent (`stored-body-mismatch`).
 * Exactly-once and order are kind-agnostic and checked by history-checker.ts.
 */
import { isDeepStrictEqual } from "node:util";
import type { PublishRecord, RoomHistory, SeenEvent, ViolationKind } from "./history.js";

/** Where violations go (history-checker.ts's log). */
export interface FoldViolationSink {
  add(kind: ViolationKind, room: string, detail: string): void;
}

function targetOf(body: unknown): number | undefined {
  const target = (body as { target?: unknown } | null | undefined)?.target;
  return typeof target === "number" ? target : undefined;
}

function isTombstone(body: unknown): boolean {
  return isDeepStrictEqual(body, { deleted: true });
}

/**
 * The seqs a room's deletes remove: their target messages and those messages' edits. A stored edit that
 * is already a tombstone no longer names its target, so `sent` gives the body it was published with.
 */
export function removedSeqs(
  events: readonly SeenEvent[],
  sent: (e: SeenEvent) => unknown = (e) => e.body,
): Set<number> {
  const kinds = new Map(events.map((e) => [e.seq, e.kind]));
  const deleted = new Set<number>();
  for (const e of events) {
    const t = e.kind === "delete" ? targetOf(e.body) : undefined;
    if (t !== undefined && kinds.get(t) === "message") deleted.add(t);
  }
  const removed = new Set(deleted);
  for (const e of events) if (e.kind === "edit" && deleted.has(targetOf(sent(e)) ?? 0)) removed.add(e.seq);
  return removed;
}

/**
 * Checks one room's final history against the fold. `published` holds every publish of the run by cmid
 * (acked or not: an unacked one may still be stored); acked ones must be stored as sent.
 */
export function checkChatFold(
  room: RoomHistory,
  published: ReadonlyMap<string, PublishRecord>,
  log: FoldViolationSink,
): void {
  if (room.events.some((e) => e.kind === undefined)) return; // a history without bodies: nothing to fold
  const removed = removedSeqs(room.events, (e) => published.get(e.cmid)?.body ?? e.body);
  const bySeq = new Map(room.events.map((e) => [e.seq, e]));
  for (const e of room.events) {
    const tomb = isTombstone(e.body);
    if (removed.has(e.seq) && !tomb) log.add("tombstone-missing", room.room, `${e.kind} seq ${e.seq} was deleted`);
    if (!removed.has(e.seq) && tomb) {
      log.add("unexpected-tombstone", room.room, `${e.kind} seq ${e.seq} reads as deleted`);
    }
  }
  for (const p of published.values()) {
    if (p.acks.length === 0 || p.room !== room.room) continue;
    const stored = bySeq.get(p.acks[0]!);
    if (!stored || stored.cmid !== p.cmid || p.body === undefined) continue; // history-checker reports these
    if (stored.kind !== (p.kind ?? "message")) {
      log.add("stored-kind-mismatch", room.room, `cmid ${p.cmid} sent as ${p.kind}, stored as ${stored.kind}`);
    } else if (!removed.has(stored.seq) && !isDeepStrictEqual(stored.body, p.body)) {
      log.add("stored-body-mismatch", room.room, `cmid ${p.cmid} at seq ${stored.seq} is not stored as sent`);
    }
  }
}
