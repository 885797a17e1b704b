import type { PublishAck, Room, RoomFold } from "@parley/client";

/** What a message pane does to messages; every call goes through the client's outbox. */
export interface ChatActions {
  /** Replaces the text of an own message. */
  edit(seq: number, text: string): void;
  /** Deletes a message (a tombstone for everyone). */
  remove(seq: number): void;
  /** Adds this user's emoji, or removes it when already there. */
  toggleReaction(seq: number, emoji: string): void;
  /** Posts a reply in the thread of `seq`. */
  reply(seq: number, text: string): void;
  /** The user has seen the room up to `seq` (coalesced, monotonic receipts). */
  markRead(seq: number): void;
}

/** Chat actions on `room`; `fold()` gives the current state (to know whether a reaction is own already). */
export function chatActions(room: Room, fold: () => RoomFold, me: string): ChatActions {
  // Failures reach the app through the outbox tracker (`failed` rows) and client events.
  const quiet = (p: Promise<PublishAck>) => void p.catch(() => undefined);
  return {
    edit: (seq, text) => quiet(room.edit(seq, text)),
    remove: (seq) => quiet(room.delete(seq)),
    toggleReaction: (seq, emoji) => {
      const mine = fold()
        .bySeq.get(seq)
        ?.reactions.find((r) => r.emoji === emoji)
        ?.users.includes(me);
      quiet(mine ? room.unreact(seq, emoji) : room.react(seq, emoji));
    },
    reply: (seq, text) => quiet(room.reply(seq, text)),
    markRead: (seq) => room.markRead(seq),
  };
}
