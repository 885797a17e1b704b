import { useRef, useState, type KeyboardEvent } from "react";

const MAX_LENGTH = 4000;

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function Composer(props: { roomTitle: string; onSend: (text: string) => void; onTyping: () => void }) {
  const [text, setText] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  const send = () => {
    const body = text.trim();
    if (!body) return;
    props.onSend(body);
    setText("");
    input.current?.focus();
  };
  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    if (ev.key === "Enter" && !ev.shiftKey && !ev.nativeEvent.isComposing) {
      ev.preventDefault();
      send();
    }
  };
  return (
    <form
      className="composer"
      onSubmit={(ev) => {
        ev.preventDefault();
        send();
      }}
    >
      <label htmlFor="composer-input" className="visually-hidden">
        Message {props.roomTitle}
      </label>
      <textarea
        id="composer-input"
        ref={input}
        rows={1}
        maxLength={MAX_LENGTH}
        placeholder={`Message ${props.roomTitle}`}
        aria-describedby="composer-hint"
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          if (e.target.value) props.onTyping();
        }}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
      <span id="composer-hint" className="visually-hidden">
        Enter sends, Shift+Enter adds a new line.
      </span>
    </form>
  );
}
