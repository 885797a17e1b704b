import { memo } from "react";
import { formatted } from "../format/markdown.js";

/** A message's text: the Markdown subset (src/format/markdown.tsx) with `@user` mentions highlighted. */
export const MessageText = memo(function MessageText({ text, me }: { text: string; me: string }) {
  const { nodes, block } = formatted(text, me);
  return block ? <div className="text">{nodes}</div> : <span className="text">{nodes}</span>;
});
