/** Room events for the hooks' pure tests. */
import type { RoomEvent } from "@parley/client";

/** A chat message from ann at `seq` (or the event `body`/`kind` given). */
export function eventAt(seq: number, kind = "message", body: RoomEvent["body"] = { text: `m${seq}` }): RoomEvent {
  return { room: "r", seq, id: `e${seq}`, from: "ann", ts: seq, kind, body, cmid: `c${seq}` };
}

/** Events `from`..`to`, made by `make` (messages by default). */
export function eventRange(from: number, to: number, make: (seq: number) => RoomEvent = eventAt): RoomEvent[] {
  return Array.from({ length: to - from + 1 }, (_, i) => make(from + i));
}
