import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import type { ChatActions, ChatMessage, MessagesResult } from "@parley/react";
import { MessageRow } from "./MessageRow.js";
import { dayLabel, sameGroup } from "./time.js";

type Props = Pick<
  MessagesResult,
  "messages" | "ready" | "hasOlder" | "loadingOlder" | "loadOlder" | "retry" | "dismiss"
> &
  Partial<Pick<MessagesResult, "jumpTo" | "gapAfter" | "loadingNewer" | "loadNewer">> & {
    me: string;
    actions: ChatActions;
    onThread?: ((seq: number) => void) | undefined;
    /** Called while the newest messages are on screen (after a change or a scroll). */
    onAtBottom?: (() => void) | undefined;
    /** A message to bring into view (a search result): the page around it loads (`jumpTo`) when it is older. */
    focusSeq?: number | undefined;
    /** What the list is, for screen readers. */
    label?: string;
    /** Shown above the first message once nothing older exists (default: the start of the room). */
    startText?: string;
    /** Shown when there is nothing to list. */
    emptyText?: string;
    /** Who has read the newest own message (from receipts). */
    seen?: { seq: number; users: string[] } | undefined;
    /** The message being edited inline, and how to start or end an edit (`useEditing`). */
    editing: number | undefined;
    onEditing: (seq: number | undefined) => void;
  };

const NEAR_BOTTOM_PX = 48;
const NEAR_TOP_PX = 240;
let firstMessageMarked = false;

/**
 * The scrolling message pane. New messages keep it pinned to the bottom
 * unless the reader scrolled up; then a pill counts them. Scrolling near the
 * top loads older history, keeping what is on screen in place.
 */
export function MessageList(props: Props) {
  const { messages, ready, hasOlder, loadingOlder, loadOlder, me, onAtBottom } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const lastKey = useRef<string | undefined>(undefined);
  const anchor = useRef<{ height: number; top: number } | undefined>(undefined);
  const [unseen, setUnseen] = useState(0);
  const [activeKey, setActiveKey] = useState<string | undefined>(undefined);

  const older = () => {
    const el = scroller.current;
    if (!el || !hasOlder || loadingOlder || !ready) return;
    anchor.current = { height: el.scrollHeight, top: el.scrollTop };
    void loadOlder();
  };
  const onScroll = () => {
    const el = scroller.current;
    if (!el) return; // unmounting
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < NEAR_BOTTOM_PX;
    if (atBottom.current) {
      setUnseen(0);
      onAtBottom?.();
    }
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
    if (atBottom.current) onAtBottom?.();
  });
  useEffect(() => {
    // Coming back to the tab counts as seeing what is at the bottom.
    const seen = () => atBottom.current && onAtBottom?.();
    document.addEventListener("visibilitychange", seen);
    return () => document.removeEventListener("visibilitychange", seen);
  }, [onAtBottom]);
  useFocus(scroller, props);

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
      {/* No tab stop of its own: the messages are (one at a time, arrows move between them). */}
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        role="region"
        aria-label={props.label ?? "Messages"}
        data-testid="messages"
      >
        {loadingOlder && (
          <p className="loading" role="status">
            Loading older messages…
          </p>
        )}
        {ready && !hasOlder && messages.length > 0 && props.startText !== "" && (
          <p className="start">{props.startText ?? "This is the start of the room."}</p>
        )}
        {!ready && (
          <p className="loading" role="status">
            Loading messages…
          </p>
        )}
        {ready && messages.length === 0 && <p className="start">{props.emptyText ?? "No messages yet. Say hello!"}</p>}
        <ol
          className="message-list"
          aria-describedby="message-keys-hint"
          onKeyDown={moveFocus}
          onFocus={(e) => e.target.matches("li.message") && setActiveKey(e.target.dataset.key)}
        >
          {renderRows(props, activeKey)}
        </ol>
      </div>
      {unseen > 0 && (
        <button type="button" className="new-pill" onClick={toBottom}>
          {unseen} new message{unseen === 1 ? "" : "s"} ↓
        </button>
      )}
    </div>
  );
}

/** The rows; `activeKey` is the row the single tab stop is on (undefined: the newest). */
function renderRows(props: Props, activeKey: string | undefined) {
  const { messages: rows, me, retry, dismiss, actions, onThread, seen } = props;
  // The tab stop stays on the chosen row while it exists, else on the newest.
  const stop = rows.some((r) => r.key === activeKey) ? activeKey : rows.at(-1)?.key;
  const out: ReactNode[] = [];
  let prev: ChatMessage | undefined;
  for (const row of rows) {
    if (props.gapAfter !== undefined && prev?.seq !== undefined && prev.seq <= props.gapAfter) {
      if (row.seq === undefined || row.seq > props.gapAfter) out.push(<Gap key="gap" {...props} />);
    }
    const day = dayLabel(row.ts);
    if (!prev || dayLabel(prev.ts) !== day) {
      out.push(
        // A plain item (a list may hold only list items, axe "list"): the day is read as its text.
        <li key={`day-${day}-${row.key}`} className="day-separator">
          <span>{day}</span>
        </li>,
      );
    }
    const grouped = prev !== undefined && sameGroup(prev, row);
    out.push(
      <MessageRow
        key={row.key}
        row={row}
        me={me}
        grouped={grouped}
        actions={actions}
        onThread={onThread}
        seenBy={seen && row.seq === seen.seq ? seen.users : undefined}
        onRetry={retry}
        onDismiss={dismiss}
        editing={row.seq !== undefined && row.seq === props.editing}
        onEditing={props.onEditing}
        active={row.key === stop}
      />,
    );
    prev = row;
  }
  return out;
}

/** ↑/↓ move to the previous/next message, Home/End to the first/last loaded (from a focused message only). */
function moveFocus(ev: KeyboardEvent<HTMLOListElement>) {
  const from = ev.target as HTMLElement;
  if (!from.matches("li.message") || !["ArrowUp", "ArrowDown", "Home", "End"].includes(ev.key)) return;
  const all = [...ev.currentTarget.querySelectorAll<HTMLElement>(":scope > li.message")];
  const i = all.indexOf(from);
  const to = { ArrowUp: i - 1, ArrowDown: i + 1, Home: 0, End: all.length - 1 }[ev.key] ?? i;
  const next = all[Math.max(0, Math.min(all.length - 1, to))];
  ev.preventDefault();
  next?.focus(); // the list's onFocus moves the tab stop there
  next?.scrollIntoView({ block: "nearest" });
}

/** Where a jump far back left the newest messages apart: a button reads the next page into it. */
function Gap({ loadNewer, loadingNewer }: Props) {
  return (
    <li className="gap" aria-label="Newer messages not loaded">
      <button type="button" className="link-button" disabled={loadingNewer} onClick={() => void loadNewer?.()}>
        {loadingNewer ? "Loading newer messages…" : "Load newer messages"}
      </button>
    </li>
  );
}

/** Scrolls message `focusSeq` into view and marks it, reading the page around it when it is not loaded. */
function useFocus(scroller: { current: HTMLDivElement | null }, props: Props) {
  const { focusSeq, messages, ready, hasOlder, loadingOlder, loadOlder, jumpTo } = props;
  const done = useRef<number | undefined>(undefined);
  useEffect(() => {
    if (focusSeq === undefined || done.current === focusSeq || !ready) return;
    const el = scroller.current?.querySelector<HTMLElement>(`[data-seq="${focusSeq}"]`);
    if (el) {
      done.current = focusSeq;
      el.scrollIntoView({ block: "center" });
      el.classList.add("focused");
      setTimeout(() => el.classList.remove("focused"), 2500);
    } else if (jumpTo && !loadingOlder) {
      void jumpTo(focusSeq); // nothing to do when it is loaded but not a row here (a reply)
    } else if (hasOlder && !loadingOlder && (messages[0]?.seq ?? 0) > focusSeq) {
      void loadOlder();
    }
  }, [scroller, focusSeq, messages, ready, hasOlder, loadingOlder, loadOlder, jumpTo]);
}

/** Rows from others after the row with key `after` (all of them when it is gone). */
function countAfter(rows: ChatMessage[], after: string | undefined, me: string): number {
  const index = after === undefined ? -1 : rows.findIndex((r) => r.key === after);
  return rows.slice(index + 1).filter((r) => r.from !== me).length;
}
