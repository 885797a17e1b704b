import type { MessageView } from "@parley/client";
import type { ChatMessage } from "@parley/react";

/**
 * Whether two renderings of a row show the same thing. The fold rebuilds
 * every view on each event, so identity says nothing; comparing what a row
 * shows lets React skip the rows an event did not touch.
 */
export function sameRow(a: ChatMessage, b: ChatMessage): boolean {
  if (a === b) return true;
  return (
    a.key === b.key &&
    a.seq === b.seq &&
    a.state === b.state &&
    a.error === b.error &&
    a.ts === b.ts &&
    sameList(
      a.refusals?.map((r) => r.cmid),
      b.refusals?.map((r) => r.cmid),
    ) &&
    sameView(a.view, b.view)
  );
}

function sameView(a: MessageView, b: MessageView): boolean {
  return (
    a.text === b.text &&
    a.deleted === b.deleted &&
    a.history.length === b.history.length &&
    a.replyCount === b.replyCount &&
    a.mentionsMe === b.mentionsMe &&
    (a.text !== undefined || JSON.stringify(a.body) === JSON.stringify(b.body)) &&
    a.reactions.length === b.reactions.length &&
    a.reactions.every((r, i) => r.emoji === b.reactions[i]?.emoji && r.users.join() === b.reactions[i]?.users.join())
  );
}

/** Equal string lists (or both absent). */
export function sameList(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.join() === b.join());
}
