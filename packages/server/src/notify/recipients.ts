/**
 * Who gets a push for an event: pure decisions, so every rule is unit-tested
 * without a store or a clock. The notifier resolves the room rules and
 * presence for the candidates and hands them in.
 */
import { dmUsers, mentionsOf, textOf, type RoomEvent } from "@parley/protocol";

/** Why a user is notified: the peer of a DM, or a user `@`-mentioned in a room. */
export type PushReason = "dm" | "mention";

/** One user to notify about one event. */
export interface PushRecipient {
  readonly user: string;
  readonly reason: PushReason;
}

/** What the notifier knows about the candidates when it decides. */
export interface RecipientFacts {
  /** Users present in the room now (any connection subscribed): they see the message live. */
  readonly present: ReadonlySet<string>;
  /** Candidates the room's own rule admits (DM users, private-room members, anyone for public rooms). */
  readonly mayRead: ReadonlySet<string>;
}

/**
 * The users an event could notify, before room rules and presence: for a chat
 * message (a `message` whose body has a string `text`) the DM peer and every
 * mentioned user, each once (a DM peer mentioned in the DM is notified as `dm`),
 * never the sender. Any other event (edits included: they do not mention again) has none.
 */
export function pushCandidates(event: RoomEvent): PushRecipient[] {
  if (event.kind !== "message" || textOf(event) === undefined) return [];
  const out = new Map<string, PushReason>();
  const dm = dmUsers(event.room);
  if (dm) for (const user of dm) out.set(user, "dm");
  for (const user of mentionsOf(event)) if (!out.has(user)) out.set(user, "mention");
  out.delete(event.from);
  return [...out].map(([user, reason]) => ({ user, reason }));
}

/** The candidates that get a push: those the room admits and who are not present in it. */
export function decideRecipients(candidates: readonly PushRecipient[], facts: RecipientFacts): PushRecipient[] {
  return candidates.filter((c) => facts.mayRead.has(c.user) && !facts.present.has(c.user));
}
