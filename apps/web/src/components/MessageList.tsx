import { useEffect, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import type { ChatMessage, MessagesResult } from "@parley/react";
import { MessageRow } from "./MessageRow.js";
import { dayLabel, sameGroup } from "./time.js";

type Props = Omit<MessagesResult, "send" | "error"> & { me: string };

const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 240;
let firstMessageMarked = false;

/**
 * The scrolling message pane. New messages keep it pinned to the bottom
 * unless the reader scrolled up; then a pill counts them. Scrolling near the
 * top loads older history, keeping what is on screen in place.
 */
export function MessageList({ messages, ready, hasOlder, loadingOlder, loadOlder, retry, dismiss, me }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastKey = useRef<string | undefined>(undefined);
  const anchor = useRef<{ height: number; top: number } | undefined>(undefined);
  const [unseen, setUnseen] = useState(0);

  const older = () => {
    const el = scroller.current;
    if (!el || !hasOlder || loadingOlder || !ready) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void loadOlder();
  };
  const onScroll = () => {
    const el = scroller.current!;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) setUnseen(0);
    if (el.scrollTop < NEAR_TOP_PX) older();
  };
  const toBottom = () => {
    const el = scroller.current;
    if (el) el.scrollTop = el.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const last = messages.at(-1);
    if (anchor.current && !loadingOlder) {
      // Older rows were added above: keep the same content under the reader's eyes.
      el.scrollTop = el.scrollHeight - anchor.current.height + anchor.current.top;
      anchor.current = undefined;
    }
    if (last && last.key !== lastKey.current) {
      const fresh = countAfter(messages, lastKey.current, me);
      if (atBottom.current || last.from === me) el.scrollTop = el.scrollHeight;
      else setUnseen((n) => n + fresh);
    }
    lastKey.current = last?.key;
  }, [messages, loadingOlder, me]);

  useEffect(() => {
    // A short first page leaves no scrollbar to scroll up with: keep loading until there is one.
    const el = scroller.current;
    if (el && ready && hasOlder && !loadingOlder && el.scrollHeight <= el.clientHeight + NEAR_TOP_PX) older();
  });

  useEffect(() => {
    if (messages.length > 0 && !firstMessageMarked) {
      firstMessageMarked = true;
      performance.mark("parley:first-message");
    }
  }, [messages.length]);

  return (
    <div className="messages-wrap">
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        tabIndex={0}
        aria-label="Messages"
        data-testid="messages"
      >
        {loadingOlder && (
          <p className="loading" role="status">
            Loading older messages…
          </p>
        )}
        {ready && !hasOlder && messages.length > 0 && <p className="start">This is the start of the room.</p>}
        {!ready && (
          <p className="loading" role="status">
            Loading messages…
          </p>
        )}
        {ready && messages.length === 0 && <p className="start">No messages yet. Say hello!</p>}
        <ol className="message-list">{renderRows(messages, me, retry, dismiss)}</ol>
      </div>
      {unseen > 0 && (
        <button type="button" className="new-pill" onClick={toBottom}>
          {unseen} new message{unseen === 1 ? "" : "s"} ↓
        </button>
      )}
    </div>
  );
}

function renderRows(rows: ChatMessage[], me: string, retry: (c: string) => void, dismiss: (c: string) => void) {
  const out: ReactNode[] = [];
  let prev: ChatMessage | undefined;
  for (const row of rows) {
    const day = dayLabel(row.ts);
    if (!prev || dayLabel(prev.ts) !== day) {
      out.push(
        <li key={`day-${day}-${row.key}`} className="day-separator" role="separator" aria-label={day}>
          <span>{day}</span>
        </li>,
      );
    }
    const grouped = prev !== undefined && sameGroup(prev, row);
    out.push(
      <MessageRow
        key={row.key}
        row={row}
        mine={row.from === me}
        grouped={grouped}
        onRetry={retry}
        onDismiss={dismiss}
      />,
    );
    prev = row;
  }
  return out;
}

/** Rows from others after the row with key `after` (all of them when it is gone). */
function countAfter(rows: ChatMessage[], after: string | undefined, me: string): number {
  const index = after === undefined ? -1 : rows.findIndex((r) => r.key === after);
  return rows.slice(index + 1).filter((r) => r.from !== me).length;
}
