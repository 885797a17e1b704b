/** The `@name` suggestions under the composer: a listbox driven from the textarea's keys. */
export function MentionMenu(props: { id: string; options: string[]; active: number; onPick: (user: string) => void }) {
  if (props.options.length === 0) return null;
  return (
    <ul className="mention-menu" role="listbox" id={props.id} aria-label="People to mention">
      {props.options.map((user, i) => (
        <li
          key={user}
          id={`${props.id}-${i}`}
          role="option"
          aria-selected={i === props.active}
          className={i === props.active ? "active" : ""}
          onMouseDown={(e) => {
            e.preventDefault(); // keep the focus in the textarea
            props.onPick(user);
          }}
        >
          @{user}
        </li>
      ))}
    </ul>
  );
}

/** The `@prefix` being typed just before the caret, if any. */
export function mentionAt(text: string, caret: number): { start: number; prefix: string } | undefined {
  const [, , prefix] = /(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.-]{0,64})$/.exec(text.slice(0, caret)) ?? [];
  if (prefix === undefined) return undefined;
  return { start: caret - prefix.length - 1, prefix };
}

/** Up to `max` candidates starting with `prefix` (case-insensitive), in the given order. */
export function matching(candidates: readonly string[], prefix: string, max = 6): string[] {
  const p = prefix.toLowerCase();
  return candidates.filter((c) => c.toLowerCase().startsWith(p)).slice(0, max);
}
