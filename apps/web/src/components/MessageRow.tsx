import { memo, useState } from "react";
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
}

/**
 * One message: sender and time (unless it continues the previous sender's
 * group), text with mentions, "edited" with its history, reactions, the reply
 * count, tools (react, reply, and edit / delete for own messages) and the delivery state.
 */
export const MessageRow = memo(function MessageRow(props: RowProps) {
  const { row, me, grouped, actions, onThread } = props;
  const { view, seq } = row;
  const mine = row.from === me;
  const [editing, setEditing] = useState(false);
  const live = seq !== undefined && row.state === "sent" && !view.deleted;
  return (
    <li
      className={`message ${grouped ? "grouped" : ""} ${mine ? "mine" : ""} ${view.mentionsMe ? "mentions-me" : ""} state-${row.state}`}
      data-seq={row.seq}
      data-cmid={row.cmid}
      data-state={row.state}
      data-deleted={view.deleted || undefined}
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
      <Body {...props} editing={editing} onDone={() => setEditing(false)} />
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
        <Tools {...props} seq={seq} mine={mine} onEdit={() => setEditing(true)} onReply={onThread} />
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
    a.onDismiss === b.onDismiss
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
        <button type="button" className="danger" onClick={() => actions.remove(seq)}>
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
      {onReply && (
        <button type="button" className="tool" title="Reply in thread" onClick={() => onReply(seq)}>
          Reply
        </button>
      )}
      {mine && (
        <button type="button" className="tool" title="Edit" onClick={props.onEdit}>
          Edit
        </button>
      )}
      {mine && (
        <button type="button" className="tool" title="Delete" onClick={() => setConfirming(true)}>
          Delete
        </button>
      )}
    </span>
  );
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
