/**
 * Deletes applied to events held in memory (the Kafka gateways' recent
 * buffer, the in-memory history source), with the same rule as the store's
 * projection (chat/projection.ts, steps 4 and 5): a `delete` turns its target
 * `message` and every `edit` of it into TOMBSTONE_BODY, whichever of the edit
 * and the delete was sequenced first. Events are replaced, never mutated:
 * listeners may still hold the original objects.
 */
import { TOMBSTONE_BODY, type RoomEvent } from "@parley/protocol";

/** The seq a `delete` removes, or undefined for any other event. */
function deletedBy(e: RoomEvent): number | undefined {
  if (e.kind !== "delete") return undefined;
  const target = (e.body as { target?: unknown } | null)?.target;
  return Number.isSafeInteger(target) ? (target as number) : undefined;
}

/** Whether a `delete` of `seqs` removes `e`: the message itself, or an edit of it. */
function removes(seqs: ReadonlySet<number>, e: RoomEvent): boolean {
  if (e.kind === "message") return seqs.has(e.seq);
  if (e.kind !== "edit") return false;
  const target = (e.body as { target?: unknown } | null)?.target;
  return typeof target === "number" && seqs.has(target);
}

function tombstone(e: RoomEvent): RoomEvent {
  return { ...e, body: { ...TOMBSTONE_BODY } };
}

/** The seqs that the deletes among `events` remove. */
export function deletedTargets(events: readonly RoomEvent[]): Set<number> {
  const seqs = new Set<number>();
  for (const e of events) {
    const target = deletedBy(e);
    if (target !== undefined) seqs.add(target);
  }
  return seqs;
}

/** `events` with everything the deletes of `seqs` remove replaced by its tombstone (a new array). */
export function withTombstones(events: readonly RoomEvent[], seqs: ReadonlySet<number>): RoomEvent[] {
  if (seqs.size === 0) return [...events];
  return events.map((e) => (removes(seqs, e) ? tombstone(e) : e));
}

/**
 * Applies `added` (just appended to `list`, one room's events in seq order)
 * in place: a delete tombstones what it removes in `list`; an edit of an
 * already deleted message is tombstoned itself.
 */
export function applyDeleteInPlace(list: RoomEvent[], added: RoomEvent): void {
  const target = deletedBy(added);
  if (target !== undefined) {
    const seqs = new Set([target]);
    for (const [i, e] of list.entries()) if (removes(seqs, e)) list[i] = tombstone(e);
    return;
  }
  if (added.kind !== "edit" || list.at(-1) !== added) return;
  if (removes(deletedTargets(list), added)) list[list.length - 1] = tombstone(added);
}
