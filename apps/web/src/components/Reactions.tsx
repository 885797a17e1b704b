import { useState } from "react";
import type { ReactionView } from "@parley/client";

/** The emojis the picker offers. */
export const EMOJIS = ["👍", "❤️", "😂", "🎉", "😮", "😢", "👀", "✅"];

/** A message's reactions: one chip per emoji with its count; who reacted on hover; clicking toggles mine. */
export function Reactions(props: {
  reactions: readonly ReactionView[];
  me: string;
  onToggle: (emoji: string) => void;
}) {
  if (props.reactions.length === 0) return null;
  return (
    <ul className="reactions" aria-label="Reactions">
      {props.reactions.map((r) => {
        const mine = r.users.includes(props.me);
        const who = r.users.map((u) => (u === props.me ? "you" : u)).join(", ");
        return (
          <li key={r.emoji}>
            <button
              type="button"
              className={`reaction ${mine ? "mine" : ""}`}
              aria-pressed={mine}
              title={`${who} reacted with ${r.emoji}`}
              aria-label={`${r.emoji} ${r.users.length}: ${who}`}
              data-emoji={r.emoji}
              onClick={() => props.onToggle(r.emoji)}
            >
              <span aria-hidden="true">{r.emoji}</span> <span className="count">{r.users.length}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

/** A small emoji picker behind a button. */
export function EmojiPicker({ onPick }: { onPick: (emoji: string) => void }) {
  const [open, setOpen] = useState(false);
  return (
    <span
      className="picker"
      onBlur={(e) => {
        // Focus moved elsewhere (not just lost, as some browsers do on a click): close.
        const next = e.relatedTarget as Node | null;
        if (next && !e.currentTarget.contains(next)) setOpen(false);
      }}
    >
      <button
        type="button"
        className="tool"
        aria-expanded={open}
        aria-label="Add reaction"
        title="Add reaction (+)"
        data-action="react"
        onClick={() => setOpen((o) => !o)}
      >
        ☺+
      </button>
      {open && (
        <span className="picker-menu" role="menu" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
          {EMOJIS.map((emoji, i) => (
            <button
              key={emoji}
              type="button"
              role="menuitem"
              autoFocus={i === 0}
              aria-label={`React with ${emoji}`}
              onClick={() => {
                setOpen(false);
                onPick(emoji);
              }}
            >
              {emoji}
            </button>
          ))}
        </span>
      )}
    </span>
  );
}
