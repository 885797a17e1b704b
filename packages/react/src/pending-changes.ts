/**
 * Own edits, deletes and reactions still in the outbox, as events the fold
 * can apply, so the UI shows them at once (also offline, and after a reload
 * restores them from storage). They sort after every real event, in outbox
 * order, and vanish once the stream has them or the server refused them.
 */
import type { RoomEvent } from "@parley/client";
import type { TrackedMessage } from "./outbox-tracker.js";

/** Above any real seq: pending changes apply after everything confirmed. */
const PENDING_BASE = 2 ** 50;
const CHANGE_KINDS: readonly string[] = ["edit", "delete", "reaction"];

/** The pending changes of `me` in `room` that the stream has not confirmed (`confirmed`: own cmids seen). */
export function pendingChanges(
  tracked: readonly TrackedMessage[],
  room: string,
  me: string,
  confirmed: ReadonlySet<string>,
): RoomEvent[] {
  return tracked
    .filter(
      (t) =>
        t.entry.room === room &&
        t.status !== "failed" &&
        CHANGE_KINDS.includes(t.entry.kind ?? "message") &&
        !confirmed.has(t.entry.cmid),
    )
    .sort((a, b) => a.entry.order - b.entry.order)
    .map((t) => ({
      room,
      seq: PENDING_BASE + t.entry.order,
      id: "",
      from: me,
      ts: t.entry.createdAt,
      kind: t.entry.kind ?? "message",
      body: t.entry.body,
      cmid: t.entry.cmid,
    }));
}
