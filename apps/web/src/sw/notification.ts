/** The push payload the Parley server sends (packages/server/src/notify/push-payload.ts). */
export interface PushPayload {
  readonly room: string;
  readonly seq: number;
  readonly from: string;
  readonly text: string;
  readonly kind: "dm" | "mention";
}

/** The message the service worker posts to an open window when a notification is clicked. */
export interface OpenRoomMessage {
  readonly type: "parley:open-room";
  readonly room: string;
}

/** The app URL that opens `room` (ChatApp reads `#room=`). */
export function roomUrl(room: string): string {
  return `/#room=${encodeURIComponent(room)}`;
}

/** Title and options of the notification for one push; one tag per room so a burst stacks into one. */
export function notificationFor(p: PushPayload): { title: string; options: NotificationOptions } {
  const title = p.kind === "dm" ? p.from : `${p.from} in ${p.room}`;
  return { title, options: { body: p.text, tag: `parley:${p.room}`, data: { room: p.room, seq: p.seq } } };
}
