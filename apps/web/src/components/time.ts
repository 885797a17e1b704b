import type { ChatMessage } from "@parley/react";

const GROUP_MS = 5 * 60_000;
const clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const dayFormat = new Intl.DateTimeFormat(undefined, {
  weekday: "long",
  month: "long",
  day: "numeric",
  year: "numeric",
});
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

/** "14:05" */
export function clock(ts: number): string {
  return clockFormat.format(ts);
}

/** "Mar 3, 2025, 14:05", for tooltips and screen readers. */
export function fullTime(ts: number): string {
  return fullFormat.format(ts);
}

/** "Today", "Yesterday" or the full date: the text of a day separator. */
export function dayLabel(ts: number, now = Date.now()): string {
  const day = new Date(ts).toDateString();
  if (day === new Date(now).toDateString()) return "Today";
  if (day === new Date(now - 86_400_000).toDateString()) return "Yesterday";
  return dayFormat.format(ts);
}

/** Consecutive messages of one sender within a few minutes share one header. */
export function sameGroup(prev: ChatMessage, row: ChatMessage): boolean {
  return prev.from === row.from && row.ts - prev.ts < GROUP_MS && prev.state !== "failed";
}
