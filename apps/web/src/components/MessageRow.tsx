import { memo, useEffect, useRef, useState, type FocusEvent, type KeyboardEvent, type RefObject } from "react";
import type { ChatActions, ChatMessage } from "@parley/react";
import { EditBox } from "./EditBox.js";
import { EditHistory } from "./EditHistory.js";
import { MessageText } from "./MessageText.js";
import { EmojiPicker, Reactions } from "./Reactions.js";
import { sameList, sameRow } from "./row-equality.js";
import { clock, fullTime } from "./time.js";

interface RowProps {
  row: ChatMessage;
  me: string;
  grouped: boolean;
  actions: ChatActions;
  onRetry: (cmid: string) => void;
  onDismiss: (cmid: string) => void;
  /** Opens the thread of a message; absent inside a thread (no nested threads). */
  onThread?: ((seq: number) => void) | undefined;
  /** Who has read this (the newest own) message. */
  seenBy?: string[] | undefined;
  /** This row is being edited inline. */
  editing: boolean;
  /** Starts (a seq) or ends (undefined) the inline edit of a message. */
  onEditing: (seq: number | undefined) => void;
  /** The row the message list's single tab stop is on (roving tabindex). */
  active: boolean;
}

/**
 * Keys on a focused message, each the same as clicking its tool (README "Keyboard"); arrows move between
 * messages (MessageList). The tool buttons carry `data-action`.
 */
const SHORTCUTS: Record<string, string> = { e: "edit", r: "reply", "+": "react", Delete: "delete" };

/**
 * One message: sender and time (unless it continues the previous sender's
 * group), text with mentions, "edited" with its history, reactions, the reply
 * count, tools (react, reply, and edit / delete for own messages) and the delivery state.
 */
export const MessageRow = memo(function MessageRow(props: RowProps) {
  const { row, me, grouped, actions, onThread, editing, onEditing } = props;
  const { view, seq } = row;
  const mine = row.from === me;
  const item = useRef<HTMLLIElement>(null);
  const tools = useToolsToggle(item);
  const live = seq !== undefined && row.state === "sent" && !view.deleted;
  const onKeyDown = (ev: KeyboardEvent<HTMLLIElement>) => {
    if (ev.key === "Escape" && tools.open) {
      tools.setOpen(false); // back from the tools to the message
      item.current?.focus();
      return;
    }
    if (ev.target !== ev.currentTarget || ev.ctrlKey || ev.metaKey || ev.altKey) return;
    const action = ev.key === "Enter" ? "menu" : SHORTCUTS[ev.key];
    if (!action || !live) return;
    ev.preventDefault();
    tools.setOpen(true);
    // After the tools are shown: focus the first one (Enter), or do what the key names.
    requestAnimationFrame(() => {
      const group = item.current?.querySelector(".tools");
      const button = group?.querySelector<HTMLButtonElement>(
        action === "menu" ? "button" : `[data-action="${action}"]`,
      );
      if (action === "menu") button?.focus();
      else button?.click();
    });
  };
  const endEdit = () => {
    onEditing(undefined);
    requestAnimationFrame(() => item.current?.focus());
  };
  return (
    <li
      ref={item}
      className={`message ${grouped ? "grouped" : ""} ${mine ? "mine" : ""} ${view.mentionsMe ? "mentions-me" : ""} state-${row.state} ${tools.open ? "tools-open" : ""}`}
      data-seq={row.seq}
      data-cmid={row.cmid}
      data-key={row.key}
      data-state={row.state}
      data-deleted={view.deleted || undefined}
      tabIndex={props.active ? 0 : -1}
      onKeyDown={onKeyDown}
      onBlur={tools.onBlur}
    >
      {grouped ? (
        <span className="visually-hidden">
          {row.from}, {fullTime(row.ts)}
        </span>
      ) : (
        <div className="meta">
          <span className="sender">{row.from}</span>
          <time dateTime={new Date(row.ts).toISOString()} title={fullTime(row.ts)}>
            {clock(row.ts)}
          </time>
        </div>
      )}
      <Body {...props} editing={editing} onDone={endEdit} />
      {row.refusals?.map((r) => (
        <p key={r.cmid} className="refusal" role="alert" data-code={r.code}>
          {r.text}{" "}
          <button type="button" className="link-button" aria-label="Dismiss" onClick={() => props.onDismiss(r.cmid)}>
            ✕
          </button>
        </p>
      ))}
      {/* Reactions and replies target a stored message: one still on its way (no seq yet) has none. */}
      {!view.deleted && seq !== undefined && (
        <Reactions reactions={view.reactions} me={me} onToggle={(e) => actions.toggleReaction(seq, e)} />
      )}
      {onThread && seq !== undefined && view.replyCount > 0 && (
        <button type="button" className="link-button replies" onClick={() => onThread(seq)}>
          {view.replyCount} {view.replyCount === 1 ? "reply" : "replies"}
        </button>
      )}
      {live && !editing && (
        <>
          <button
            type="button"
            className="more"
            aria-label={`Actions for ${row.from}'s message`}
            aria-expanded={tools.open}
            onClick={() => tools.setOpen(!tools.open)}
          >
            ⋯
          </button>
          <Tools {...props} seq={seq} mine={mine} onEdit={() => onEditing(seq)} onReply={onThread} />
        </>
      )}
      {props.seenBy && props.seenBy.length > 0 ? (
        <span className="delivery seen">Seen by {props.seenBy.join(", ")}</span>
      ) : (
        mine && <Delivery row={row} onRetry={props.onRetry} onDismiss={props.onDismiss} />
      )}
    </li>
  );
}, sameProps);

function sameProps(a: RowProps, b: RowProps): boolean {
  return (
    sameRow(a.row, b.row) &&
    sameList(a.seenBy, b.seenBy) &&
    a.me === b.me &&
    a.grouped === b.grouped &&
    a.actions === b.actions &&
    a.onThread === b.onThread &&
    a.onRetry === b.onRetry &&
    a.onDismiss === b.onDismiss &&
    a.editing === b.editing &&
    a.onEditing === b.onEditing &&
    a.active === b.active
  );
}

/** The text (with mentions and "edited"), the inline editor, or the tombstone. */
function Body({ row, me, actions, editing, onDone }: RowProps & { editing: boolean; onDone: () => void }) {
  const { view } = row;
  if (view.deleted) return <div className="body tombstone">message deleted</div>;
  if (editing && row.seq !== undefined) {
    const seq = row.seq;
    const save = (text: string) => {
      onDone();
      if (text !== view.text) actions.edit(seq, text);
    };
    return <EditBox initial={view.text ?? ""} onSave={save} onCancel={onDone} />;
  }
  return (
    <div className="body">
      {view.text === undefined ? JSON.stringify(row.body) : <MessageText text={view.text} me={me} />}
      {view.edited && <EditHistory history={view.history} />}
    </div>
  );
}

function Tools(props: RowProps & { seq: number; mine: boolean; onEdit: () => void; onReply: RowProps["onThread"] }) {
  const { seq, mine, actions, onReply } = props;
  const [confirming, setConfirming] = useState(false);
  if (confirming) {
    return (
      <span className="tools confirm" role="group" aria-label="Delete this message?">
        Delete this message?{" "}
        {/* Focused, so a keyboard user confirms with Enter (the Delete tool they pressed is gone). */}
        <button type="button" className="danger" ref={(el) => el?.focus()} onClick={() => actions.remove(seq)}>
          Delete
        </button>
        <button type="button" onClick={() => setConfirming(false)}>
          Cancel
        </button>
      </span>
    );
  }
  return (
    <span className="tools" role="group" aria-label="Message actions">
      <EmojiPicker onPick={(emoji) => actions.toggleReaction(seq, emoji)} />
      {onReply && <Tool action="reply" title="Reply in thread (R)" label="Reply" onClick={() => onReply(seq)} />}
      {mine && <Tool action="edit" title="Edit (E)" label="Edit" onClick={props.onEdit} />}
      {mine && <Tool action="delete" title="Delete (Del)" label="Delete" onClick={() => setConfirming(true)} />}
    </span>
  );
}

/** One tool button; `data-action` is what a row's shortcut key clicks. */
function Tool(props: { action: string; title: string; label: string; onClick: () => void }) {
  return (
    <button type="button" className="tool" title={props.title} data-action={props.action} onClick={props.onClick}>
      {props.label}
    </button>
  );
}

/**
 * The ⋯ toggle's state (touch and phone widths show the tools only while it is open): closed again by a
 * tap or click outside the row, or when focus moves out of it.
 */
function useToolsToggle(item: RefObject<HTMLLIElement | null>) {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    if (!open) return;
    const outside = (e: PointerEvent) => {
      if (!item.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", outside);
    return () => document.removeEventListener("pointerdown", outside);
  }, [open, item]);
  const onBlur = (e: FocusEvent<HTMLLIElement>) => {
    const next = e.relatedTarget as Node | null;
    if (next && !e.currentTarget.contains(next)) setOpen(false);
  };
  return { open, setOpen, onBlur };
}

function Delivery({ row, onRetry, onDismiss }: Pick<RowProps, "row" | "onRetry" | "onDismiss">) {
  switch (row.state) {
    case "sending":
      return <span className="delivery">Sending…</span>;
    case "retrying":
      return <span className="delivery warn">Not sent yet, retrying…</span>;
    case "sent":
      return (
        <span className="delivery sent">
          <span aria-hidden="true">✓</span>
          <span className="visually-hidden">Sent</span>
        </span>
      );
    case "failed":
      return (
        <span className="delivery failed">
          Failed{row.error ? `: ${row.error}` : ""}.{" "}
          <button type="button" className="link-button" onClick={() => onRetry(row.cmid)}>
            Retry
          </button>{" "}
          <button type="button" className="link-button" onClick={() => onDismiss(row.cmid)}>
            Remove
          </button>
        </span>
      );
  }
}
