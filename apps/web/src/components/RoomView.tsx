import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { seenBy } from "@parley/client";
import { useMessages, usePresence, useRoom, useTyping, type ChatActions, type MessagesResult } from "@parley/react";
import { dmPeer, roomTitle, type Api, type RoomInfo, type RoomSummary } from "../api.js";
import { Composer } from "./Composer.js";
import { MessageList } from "./MessageList.js";
import { PresenceList } from "./PresenceList.js";
import { RoomSettings } from "./RoomSettings.js";
import { ThreadPanel } from "./ThreadPanel.js";
import { useEditing } from "./use-editing.js";

interface RoomViewProps {
  id: string;
  summary: RoomSummary | undefined;
  /** What `GET /v1/rooms/{room}` said (undefined when it could not be asked). */
  info: RoomInfo | undefined;
  api: Api;
  me: string;
  /** A message to scroll to (from search). */
  focusSeq: number | undefined;
  onRead: (id: string, seq: number) => void;
  onDm: (user: string) => Promise<void>;
  /** The user switched to this room: the composer takes the focus. */
  focusComposer: boolean;
  /** I left the room (from its settings). */
  onLeft: () => void;
}

/** The open room: messages, who is typing, the composer, who is here, and an open thread. */
export function RoomView(props: RoomViewProps) {
  const { id, summary, info, api, me, focusSeq, onRead, onDm, focusComposer } = props;
  const { error: roomError } = useRoom(id);
  const messages = useMessages(id);
  const { typing, notifyTyping } = useTyping(id);
  const [showPeople, setShowPeople] = useState(false);
  const [showSettings, setShowSettings] = useState(false);
  const settingsButton = useRef<HTMLButtonElement>(null);
  const [thread, setThread] = useState<number | undefined>(undefined);
  const actions = useActions(messages);
  const candidates = useCandidates(id, me, messages, api);
  const atBottom = useMarkRead(id, messages, onRead);
  const seen = useSeen(messages, me);
  const editing = useEditing(messages.messages, me);
  const focusParent = focusSeq === undefined ? undefined : messages.fold.bySeq.get(focusSeq)?.replyTo;
  useEffect(() => {
    if (focusParent !== undefined) setThread(focusParent); // a search hit in a thread: open it
  }, [focusParent]);
  const title = displayTitle(id, summary ?? info, me);
  return (
    <main className="room" aria-labelledby="room-title">
      <header className="room-header">
        <h1 id="room-title">
          {(summary ?? info)?.type === "dm" ? "" : "# "}
          {title}
        </h1>
        {info?.type === "public" && !info.member && !info.implicit && <JoinButton api={api} id={id} name={title} />}
        {info && (
          <button
            ref={settingsButton}
            type="button"
            aria-expanded={showSettings}
            aria-controls="room-settings"
            onClick={() => setShowSettings((s) => !s)}
          >
            Members
          </button>
        )}
        <button
          type="button"
          className="people-button"
          aria-expanded={showPeople}
          aria-controls="presence"
          onClick={() => setShowPeople((s) => !s)}
        >
          Here now
        </button>
      </header>
      {roomError && (
        <p role="alert" className="error">
          You cannot read this room: {roomError.message}
        </p>
      )}
      <div className="room-body">
        <div className="conversation">
          <MessageList
            {...messages}
            me={me}
            actions={actions}
            onThread={setThread}
            onAtBottom={atBottom}
            focusSeq={focusSeq}
            seen={seen}
            editing={editing.editing}
            onEditing={editing.onEditing}
          />
          <p className="typing" aria-live="polite">
            {typingText(typing)}
          </p>
          <Composer
            roomTitle={title}
            candidates={candidates}
            onSend={(text) => messages.send({ text })}
            onTyping={notifyTyping}
            onEditLast={editing.editLast}
            autoFocus={focusComposer}
          />
        </div>
        {thread !== undefined ? (
          <ThreadPanel room={id} seq={thread} me={me} candidates={candidates} onClose={() => setThread(undefined)} />
        ) : showSettings && info ? (
          <RoomSettings
            api={api}
            me={me}
            info={info}
            onLeft={props.onLeft}
            onClose={() => {
              setShowSettings(false);
              settingsButton.current?.focus();
            }}
          />
        ) : (
          <PresenceList id={id} me={me} open={showPeople} onDm={onDm} />
        )}
      </div>
    </main>
  );
}

/** A room's name, a DM's peer; an id only for an open room that was never given a name. */
function displayTitle(id: string, room: { type: RoomSummary["type"]; name: string } | undefined, me: string): string {
  return room ? roomTitle({ id, type: room.type, name: room.name }, me) : id;
}

/** Joins a public room I am looking at; the inbox then lists it and the header drops the button. */
function JoinButton({ api, id, name }: { api: Api; id: string; name: string }) {
  const [error, setError] = useState("");
  const join = () => api.join(id).catch((err: Error) => setError(`Could not join: ${err.message}`));
  return (
    <>
      <button type="button" className="join-button" aria-label={`Join ${name}`} onClick={() => void join()}>
        Join
      </button>
      {error && (
        <span role="alert" className="error">
          {error}
        </span>
      )}
    </>
  );
}

function typingText(users: string[]): string {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length <= 3) return `${users.slice(0, -1).join(", ")} and ${users.at(-1)} are typing…`;
  return "Several people are typing…";
}

function useActions(m: MessagesResult): ChatActions {
  const { edit, remove, toggleReaction, reply, markRead } = m;
  return useMemo(
    () => ({ edit, remove, toggleReaction, reply, markRead }),
    [edit, remove, toggleReaction, reply, markRead],
  );
}

/** Who has read my newest message (receipts in the loaded events). */
function useSeen(m: MessagesResult, me: string): { seq: number; users: string[] } | undefined {
  const { fold } = m;
  return useMemo(() => {
    const last = fold.messages.findLast((v) => v.from === me && v.replyTo === undefined && !v.deleted);
    return last ? { seq: last.seq, users: seenBy(fold, last.seq) } : undefined;
  }, [fold, me]);
}

/** Who `@` suggests: people here now, then recent senders, then the room's members and the DM peer. */
function useCandidates(id: string, me: string, m: MessagesResult, api: Api): string[] {
  const { members: here } = usePresence(id);
  const [members, setMembers] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    api.members(id).then(
      (users) => live && setMembers(users),
      () => undefined, // an implicit room has no member list: presence and senders still suggest
    );
    return () => {
      live = false;
    };
  }, [api, id]);
  const senders = m.fold.messages;
  return useMemo(() => {
    const recent = [...senders].reverse().map((v) => v.from);
    const all = [...here.map((p) => p.user), ...recent, ...members, dmPeer(id, me) ?? ""];
    return [...new Set(all)].filter((u) => u && u !== me);
  }, [here, senders, members, id, me]);
}

/**
 * Reads the room while its newest messages are on screen and the tab is
 * visible: a receipt up to the newest message (coalesced by the SDK), so the
 * badge clears here and on the user's other devices.
 */
function useMarkRead(id: string, m: MessagesResult, onRead: (id: string, seq: number) => void): () => void {
  const newest = m.fold.messages.at(-1)?.seq ?? 0;
  const { markRead } = m;
  const done = useRef(0);
  return useCallback(() => {
    if (newest <= done.current || document.visibilityState !== "visible") return;
    done.current = newest;
    markRead(newest);
    onRead(id, newest);
  }, [id, newest, markRead, onRead]);
}
