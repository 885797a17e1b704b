/** Room logs for the fold's tests: hand-written ones and random well-formed ones (fast-check). */
import fc from "fast-check";
import type { Json, RoomEvent } from "@parley/protocol";

export type Spec = [from: string, kind: string, body: Json];

/** Events with seqs 1, 2, … in the order given. */
export function log(...specs: Spec[]): RoomEvent[] {
  return specs.map(([from, kind, body], i) => ({
    room: "r",
    seq: i + 1,
    id: `e${i + 1}`,
    from,
    ts: 1000 + i,
    kind,
    body,
    cmid: `c${i + 1}`,
  }));
}

export const msg = (from: string, text: string, extra: Record<string, Json> = {}): Spec => [
  from,
  "message",
  { text, ...extra },
];

const USERS = ["ann", "bob", "cat"];
const EMOJIS = ["👍", "🎉", "❤️"];

/** A random but well-formed log: every target is an earlier seq. */
export const arbLog = fc
  .array(
    fc.record({
      from: fc.constantFrom(...USERS),
      op: fc.constantFrom("message", "reply", "edit", "delete", "add", "remove", "receipt"),
      pick: fc.nat(),
      emoji: fc.constantFrom(...EMOJIS),
      mention: fc.option(fc.constantFrom(...USERS)),
    }),
    { maxLength: 60 },
  )
  .map((actions) => {
    const specs: Spec[] = [msg("ann", "first")];
    for (const a of actions) {
      const target = (a.pick % specs.length) + 1;
      const text = a.mention ? `hey @${a.mention}` : `t${specs.length}`;
      if (a.op === "message") specs.push(msg(a.from, text));
      else if (a.op === "reply") specs.push(msg(a.from, text, { replyTo: target }));
      else if (a.op === "edit") specs.push([a.from, "edit", { target, text }]);
      else if (a.op === "delete") specs.push([a.from, "delete", { target }]);
      else if (a.op === "receipt") specs.push([a.from, "receipt", { upTo: target }]);
      else specs.push([a.from, "reaction", { target, emoji: a.emoji, op: a.op }]);
    }
    return log(...specs);
  });
