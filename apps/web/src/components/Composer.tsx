import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { matching, mentionAt, MentionMenu } from "./MentionMenu.js";

const MAX_LENGTH = 4000;

interface ComposerProps {
  roomTitle: string;
  /** The textarea's id (one composer per room, one per thread). */
  id?: string;
  /** Who `@` suggests. */
  candidates: readonly string[];
  onSend: (text: string) => void;
  onTyping: () => void;
  /** ↑ in the empty box: edit my last message; false when there is none. */
  onEditLast?: () => boolean;
  /** Take the focus when shown (the user switched rooms). */
  autoFocus?: boolean;
}

/** The message box: Enter sends, Shift+Enter starts a new line; `@` suggests people (↑↓ and Enter/Tab pick). */
export function Composer(props: ComposerProps) {
  const id = props.id ?? "composer-input";
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | undefined>(undefined);
  const input = useRef<HTMLTextAreaElement>(null);
  const at = mentionAt(text, caret);
  const focusNow = props.autoFocus === true;
  useEffect(() => {
    if (focusNow) input.current?.focus();
  }, [focusNow]);
  const options = at && at.start !== dismissed ? matching(props.candidates, at.prefix) : [];
  const send = () => {
    const body = text.trim();
    if (!body) return;
    props.onSend(body);
    setText("");
    setCaret(0);
    input.current?.focus();
  };
  const pick = (user: string) => {
    if (!at) return;
    const next = `${text.slice(0, at.start)}@${user} ${text.slice(caret)}`;
    const pos = at.start + user.length + 2;
    setText(next);
    setCaret(pos);
    setActive(0);
    // After React has written the new value; skipped if the user typed on meanwhile (a late restore put the caret
    // back inside what they had typed since, scrambling it).
    requestAnimationFrame(() => {
      const el = input.current;
      if (el && el.value === next) el.setSelectionRange(pos, pos);
    });
  };
  const onKeyDown = (ev: KeyboardEvent<HTMLTextAreaElement>) => {
    const close = () => setDismissed(at?.start);
    if (options.length > 0 && menuKey(ev, { options, active, setActive, pick, close })) return;
    if (ev.key === "ArrowUp" && text === "" && props.onEditLast?.()) return ev.preventDefault();
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
      <label htmlFor={id} className="visually-hidden">
        Message {props.roomTitle}
      </label>
      <MentionMenu id={`${id}-mentions`} options={options} active={active} onPick={pick} />
      <textarea
        id={id}
        ref={input}
        rows={1}
        maxLength={MAX_LENGTH}
        placeholder={`Message ${props.roomTitle}`}
        aria-describedby={`${id}-hint`}
        aria-autocomplete="list"
        aria-controls={options.length > 0 ? `${id}-mentions` : undefined}
        aria-activedescendant={options.length > 0 ? `${id}-mentions-${active}` : undefined}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setCaret(e.target.selectionStart);
          setActive(0);
          if (e.target.value) props.onTyping();
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" disabled={!text.trim()}>
        Send
      </button>
      <span id={`${id}-hint`} className="visually-hidden">
        Enter sends, Shift+Enter adds a new line, ↑ edits your last message. Type @ to mention someone.
      </span>
    </form>
  );
}

/** The open mention menu, as the key handler sees it. */
interface MenuControls {
  options: string[];
  active: number;
  setActive: (i: number) => void;
  pick: (user: string) => void;
  close: () => void;
}

/** Arrow keys move, Enter or Tab picks, Escape closes; true when the key was the menu's. */
function menuKey(ev: KeyboardEvent, menu: MenuControls): boolean {
  const { options, active, setActive, pick, close } = menu;
  const handled = ["ArrowDown", "ArrowUp", "Enter", "Tab", "Escape"].includes(ev.key) && !ev.shiftKey;
  if (!handled) return false;
  ev.preventDefault();
  if (ev.key === "ArrowDown") setActive((active + 1) % options.length);
  else if (ev.key === "ArrowUp") setActive((active - 1 + options.length) % options.length);
  else if (ev.key === "Escape") close();
  else {
    const choice = options[Math.min(active, options.length - 1)];
    if (choice !== undefined) pick(choice);
  }
  return true;
}
