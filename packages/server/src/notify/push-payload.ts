import { textOf, type RoomEvent } from "@parley/protocol";
import type { PushReason } from "./recipients.js";

/** The JSON a service worker receives in a push: enough to show a notification and open the room. */
export interface PushPayload {
  readonly room: string;
  readonly seq: number;
  readonly from: string;
  /** The message text, cut to PUSH_TEXT_MAX characters (with a trailing `…` when cut). */
  readonly text: string;
  readonly kind: PushReason;
}

/**
 * Longest text in a payload. Push services accept about 4 KB of encrypted
 * payload; 500 UTF-16 units are at most 1.5 KB of UTF-8, leaving room for the rest.
 */
export const PUSH_TEXT_MAX = 500;

/** The payload for one recipient of one chat message. */
export function pushPayload(event: RoomEvent, kind: PushReason): PushPayload {
  const text = textOf(event) ?? "";
  return { room: event.room, seq: event.seq, from: event.from, text: truncate(text, PUSH_TEXT_MAX), kind };
}

/** `text` cut to `max` UTF-16 units including the `…`, never splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
