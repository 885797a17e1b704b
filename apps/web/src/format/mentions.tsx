import { extractMentions } from "@parley/client";
import type { ReactNode } from "react";

/** Plain text with its `@user` mentions highlighted (the own one more strongly); no markup is parsed here. */
export function withMentions(text: string, me: string): ReactNode[] {
  const users = extractMentions(text);
  if (users.length === 0) return [text];
  const known = new Set(users);
  const parts: ReactNode[] = [];
  let last = 0;
  // Same boundaries as extractMentions: `@` not inside a word or an e-mail address.
  for (const m of text.matchAll(/(^|[^A-Za-z0-9_.@-])@([A-Za-z0-9_.@-]{1,64})/g)) {
    const [, before = "", name = ""] = m; // both groups always take part in a match
    const user = name.replace(/\.+$/, "");
    if (!known.has(user)) continue;
    const at = m.index + before.length;
    parts.push(text.slice(last, at));
    parts.push(
      <span key={at} className={`mention ${user === me ? "mention-me" : ""}`} data-mention={user}>
        @{user}
      </span>,
    );
    last = at + 1 + user.length;
  }
  parts.push(text.slice(last));
  return parts;
}
