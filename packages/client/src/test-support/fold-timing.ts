/**
 * How long folding a room takes when its events arrive one by one and the
 * fold is read after each (what a chat view does): the incremental
 * `ChatFold` against refolding from scratch (`foldRoom`, what `ChatFold` did
 * before). Run: `node packages/client/dist/test-support/fold-timing.js [events] [scratchEvents]`.
 */
import type { RoomEvent } from "@parley/protocol";
import { ChatFold } from "../chat/chat-fold.js";
import { foldRoom, topLevel } from "../chat/room-fold.js";

/** A room's log: mostly messages, with edits, reactions, replies, deletes and receipts of recent messages. */
export function syntheticLog(n: number): RoomEvent[] {
  const events: RoomEvent[] = [];
  const messages: number[] = [];
  for (let seq = 1; seq <= n; seq++) {
    const r = (seq * 7919) % 100;
    const target = messages[Math.max(0, messages.length - 1 - (seq % 20))];
    const from = ["ann", "bob", "cat"][seq % 3]!;
    const base = { room: "r", seq, id: `e${seq}`, from, ts: seq, cmid: `c${seq}` };
    if (target === undefined || r < 65) {
      events.push({ ...base, kind: "message", body: { text: `message ${seq} @bob` } });
      messages.push(seq);
    } else if (r < 75) events.push({ ...base, kind: "reaction", body: { target, emoji: "👍", op: "add" } });
    else if (r < 83) events.push({ ...base, kind: "edit", body: { target, text: `edited ${seq}` } });
    else if (r < 92) events.push({ ...base, kind: "message", body: { text: `reply ${seq}`, replyTo: target } });
    else if (r < 95) events.push({ ...base, kind: "delete", body: { target } });
    else events.push({ ...base, kind: "receipt", body: { upTo: seq - 1 } });
  }
  return events;
}

/** Milliseconds to add `events` one at a time, reading the changed message (or the whole main list) after each. */
export function timeIncremental(events: readonly RoomEvent[], readList: boolean): number {
  const start = performance.now();
  const fold = new ChatFold("bob");
  for (const e of events) {
    fold.add([e]);
    if (readList) topLevel(fold.fold);
    else fold.fold.bySeq.get(e.seq);
  }
  return performance.now() - start;
}

/** The same with a fold from scratch per event. */
export function timeFromScratch(events: readonly RoomEvent[]): number {
  const start = performance.now();
  for (let i = 1; i <= events.length; i++) topLevel(foldRoom(events.slice(0, i), "bob"));
  return performance.now() - start;
}

/** Milliseconds to load the log newest page first (pages of `page` events), as scrolling up does. */
export function timePrepend(events: readonly RoomEvent[], page: number): number {
  const start = performance.now();
  const fold = new ChatFold("bob");
  for (let end = events.length; end > 0; end -= page) {
    fold.add(events.slice(Math.max(0, end - page), end));
    topLevel(fold.fold);
  }
  return performance.now() - start;
}

if (process.argv[1]?.endsWith("fold-timing.js")) {
  const n = Number(process.argv[2] ?? 10_000);
  const scratch = Number(process.argv[3] ?? n);
  const log = syntheticLog(n);
  console.log(`incremental, ${n} events one by one: ${timeIncremental(log, false).toFixed(0)} ms`);
  console.log(
    `incremental, ${n} events one by one, main list read after each: ${timeIncremental(log, true).toFixed(0)} ms`,
  );
  console.log(`incremental, ${n} events in pages of 50, newest first: ${timePrepend(log, 50).toFixed(0)} ms`);
  console.log(`from scratch, ${scratch} events one by one: ${timeFromScratch(log.slice(0, scratch)).toFixed(0)} ms`);
}
