import { useEffect, useRef, useState } from "react";
import { useMessages, useRoom, useTyping } from "@parley/react";
import { roomTitle, type Api, type RoomSummary } from "../api.js";
import { Composer } from "./Composer.js";
import { MessageList } from "./MessageList.js";
import { PresenceList } from "./PresenceList.js";

interface RoomViewProps {
  id: string;
  summary: RoomSummary | undefined;
  api: Api;
  me: string;
  onRead: (id: string, seq: number) => void;
  onDm: (user: string) => Promise<void>;
}

/** The open room: messages, who is typing, the composer, and who is here. */
export function RoomView({ id, summary, api, me, onRead, onDm }: RoomViewProps) {
  const { error: roomError } = useRoom(id);
  const messages = useMessages(id);
  const { typing, notifyTyping } = useTyping(id);
  const [showPeople, setShowPeople] = useState(false);
  useMarkRead(id, messages.messages, api, onRead);
  const title = summary ? roomTitle(summary, me) : id;
  return (
    <main className="room" aria-labelledby="room-title">
      <header className="room-header">
        <h1 id="room-title">
          {summary?.type === "public" || !summary ? "# " : ""}
          {title}
        </h1>
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
          <MessageList {...messages} me={me} />
          <p className="typing" aria-live="polite">
            {typingText(typing)}
          </p>
          <Composer roomTitle={title} onSend={(text) => messages.send({ text })} onTyping={notifyTyping} />
        </div>
        <PresenceList id={id} me={me} open={showPeople} onDm={onDm} />
      </div>
    </main>
  );
}

function typingText(users: string[]): string {
  if (users.length === 0) return "";
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length <= 3) return `${users.slice(0, -1).join(", ")} and ${users.at(-1)} are typing…`;
  return "Several people are typing…";
}

/** Tells the server what has been seen: the newest confirmed seq, once the tab is visible, debounced. */
function useMarkRead(
  id: string,
  rows: { seq: number | undefined }[],
  api: Api,
  onRead: (id: string, seq: number) => void,
) {
  const sent = useRef(0);
  let newest = 0;
  for (const r of rows) if (r.seq !== undefined && r.seq > newest) newest = r.seq;
  useEffect(() => {
    if (newest <= sent.current || document.visibilityState !== "visible") return;
    const timer = setTimeout(() => {
      sent.current = newest;
      onRead(id, newest);
      api.markRead(id, newest).catch(() => undefined); // not a member (implicit room): nothing to store
    }, 400);
    return () => clearTimeout(timer);
  }, [id, newest, api, onRead]);
}
