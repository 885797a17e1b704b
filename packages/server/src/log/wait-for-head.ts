/**
 * Waiting for a log whose view of a room may lag (EventLog.reach): the head is polled, since a lagging
 * view catches up by its own reader (an events tail, a redistributor's forwards) with no event to wait on
 * that would cover every way it catches up (history, a join, a takeover's replay).
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { EventLog, RoomHead } from "./event-log.js";

const POLL_MS = 100;

/** Polls `log.head(room)` until `ok` accepts it: that head, or undefined once `waitMs` passed. */
export async function waitForHead(
  log: Pick<EventLog, "head">,
  room: string,
  ok: (head: RoomHead) => boolean,
  waitMs: number,
): Promise<RoomHead | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const head = await log.head(room);
    if (ok(head)) return head;
    if (Date.now() >= deadline) return undefined;
    await sleep(POLL_MS);
  }
}
