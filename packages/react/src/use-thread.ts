import { useCallback, useMemo, useRef } from "react";
import type { MessageView } from "@parley/client";
import { chatActions, type ChatActions } from "./chat-actions.js";
import { useParley } from "./context.js";
import type { ChatMessage } from "./merge.js";
import type { Refusal } from "./refusals.js";
import { useFoldedRows } from "./use-messages.js";
import { useThreadEvents } from "./use-thread-events.js";

/** A thread: its parent message, the replies, and what a thread panel does. */
export interface ThreadResult extends ChatActions {
  /** The message the thread hangs off, once loaded. */
  parent: MessageView | undefined;
  /** The replies in seq order, then own replies on their way. */
  replies: ChatMessage[];
  ready: boolean;
  error: Error | undefined;
  /** Posts a reply in this thread. */
  send(text: string): void;
  /** Own changes refused in this room (see `useMessages`), and dropping one's notice. */
  refused: Refusal[];
  dismiss(cmid: string): void;
}

/**
 * The thread of message `seq` in room `id`: the parent and its replies
 * (see `useThreadEvents`: the pages around them, not the room in between),
 * then live replies, edits and reactions. Subscribes while mounted (shared
 * with the room's other hooks).
 */
export function useThread(id: string, seq: number, options: { pageSize?: number } = {}): ThreadResult {
  const { room, list } = useThreadEvents(id, seq, options.pageSize ?? 50);
  const { me, fold, rows, refused } = useFoldedRows(id, list.events, list.epoch);
  const { tracker } = useParley();
  const dismiss = useCallback((cmid: string) => tracker?.forget([cmid]), [tracker]);
  const foldRef = useRef(fold);
  foldRef.current = fold;
  const actions = useMemo(() => chatActions(room, () => foldRef.current, me), [room, me]);
  const replies = rows(seq);
  return {
    ...actions,
    parent: fold.bySeq.get(seq),
    replies,
    ready: list.ready,
    error: list.error,
    send: (text) => actions.reply(seq, text),
    refused,
    dismiss,
  };
}
