import { useMemo } from "react";
import { useThread, type ChatActions } from "@parley/react";
import { Composer } from "./Composer.js";
import { MessageList } from "./MessageList.js";
import { MessageText } from "./MessageText.js";
import { useEditing } from "./use-editing.js";

interface ThreadPanelProps {
  room: string;
  seq: number;
  me: string;
  candidates: readonly string[];
  onClose: () => void;
}

/** The thread of one message: the parent, its replies (with the same tools as the room), and a reply box. */
export function ThreadPanel({ room, seq, me, candidates, onClose }: ThreadPanelProps) {
  const thread = useThread(room, seq);
  const { edit, remove, toggleReaction, reply, markRead } = thread;
  const actions: ChatActions = useMemo(
    () => ({ edit, remove, toggleReaction, reply, markRead }),
    [edit, remove, toggleReaction, reply, markRead],
  );
  const parent = thread.parent;
  const editing = useEditing(thread.replies, me);
  return (
    <aside className="thread" aria-labelledby="thread-title" data-testid="thread">
      <header className="thread-header">
        <h2 id="thread-title">Thread</h2>
        <button type="button" className="link-button" onClick={onClose} aria-label="Close thread">
          ✕
        </button>
      </header>
      <div className="thread-parent">
        {parent ? (
          <>
            <span className="sender">{parent.from}</span>{" "}
            {parent.deleted ? (
              <span className="tombstone">message deleted</span>
            ) : (
              <MessageText text={parent.text ?? ""} me={me} />
            )}
          </>
        ) : (
          <span className="loading">Loading…</span>
        )}
      </div>
      <MessageList
        messages={thread.replies}
        ready={thread.ready}
        hasOlder={false}
        loadingOlder={false}
        loadOlder={async () => undefined}
        retry={() => undefined}
        dismiss={thread.dismiss}
        me={me}
        actions={actions}
        label="Replies"
        startText=""
        emptyText="No replies yet."
        editing={editing.editing}
        onEditing={editing.onEditing}
      />
      <Composer
        roomTitle="thread"
        id="thread-input"
        candidates={candidates}
        onSend={thread.send}
        onTyping={() => undefined}
        onEditLast={editing.editLast}
      />
    </aside>
  );
}
