/**
 * A message's text as a Markdown subset: bold, italics, inline code, code blocks, lists, quotes and
 * links (typed or bare URLs). marked only tokenises (docs/dependencies.md says why it was chosen);
 * the tokens become React elements here, from an allowlist: text always goes through React (escaped),
 * no HTML is ever injected, raw HTML and everything outside the subset (headings, tables, images,
 * rules) shows as typed, and a link is a link only to http(s) or mailto.
 */
import { Lexer, type Token, type Tokens } from "marked";
import type { ReactNode } from "react";
import { withMentions } from "./mentions.js";

const LEXER_OPTIONS = { gfm: true, breaks: true } as const;
const LINK_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/**
 * The React nodes of a message's text. Most messages are one paragraph: those are inline content
 * (`block` false), so what follows them ("(edited)") stays on their line.
 */
export function formatted(text: string, me: string): { nodes: ReactNode[]; block: boolean } {
  const tokens = new Lexer(LEXER_OPTIONS).lex(text).filter((t) => t.type !== "space");
  const [only] = tokens;
  if (tokens.length === 1 && only?.type === "paragraph") {
    return { nodes: inline((only as Tokens.Paragraph).tokens, me), block: false };
  }
  return { nodes: blocks(tokens, me), block: true };
}

/** `href` when it is an absolute http(s) or mailto URL, else undefined (`javascript:`, `data:`, relative…). */
export function safeHref(href: string): string | undefined {
  try {
    return LINK_PROTOCOLS.has(new URL(href).protocol) ? href : undefined;
  } catch {
    return undefined;
  }
}

function blocks(tokens: readonly Token[], me: string): ReactNode[] {
  return tokens.map((token, i) => block(token, me, i));
}

function block(token: Token, me: string, key: number): ReactNode {
  switch (token.type) {
    case "space":
      return null;
    case "paragraph":
      return <p key={key}>{inline((token as Tokens.Paragraph).tokens, me)}</p>;
    case "text": {
      // A tight list item's text: inline content without a paragraph.
      const t = token as Tokens.Text;
      return <span key={key}>{t.tokens ? inline(t.tokens, me) : withMentions(t.text, me)}</span>;
    }
    case "code":
      return (
        <pre key={key}>
          <code>{(token as Tokens.Code).text}</code>
        </pre>
      );
    case "blockquote":
      return <blockquote key={key}>{blocks((token as Tokens.Blockquote).tokens, me)}</blockquote>;
    case "list":
      return list(token as Tokens.List, me, key);
    default:
      // Outside the subset (headings, rules, tables, raw HTML): the text as typed.
      return <p key={key}>{withMentions(token.raw.replace(/\n+$/, ""), me)}</p>;
  }
}

function list(token: Tokens.List, me: string, key: number): ReactNode {
  const items = token.items.map((item, i) => <li key={i}>{blocks(item.tokens, me)}</li>);
  if (!token.ordered) return <ul key={key}>{items}</ul>;
  const start = typeof token.start === "number" && token.start !== 1 ? token.start : undefined;
  return (
    <ol key={key} start={start}>
      {items}
    </ol>
  );
}

function inline(tokens: readonly Token[] | undefined, me: string): ReactNode[] {
  return (tokens ?? []).map((token, key) => {
    switch (token.type) {
      case "text": {
        const t = token as Tokens.Text;
        return t.tokens ? (
          <span key={key}>{inline(t.tokens, me)}</span>
        ) : (
          <span key={key}>{withMentions(t.text, me)}</span>
        );
      }
      case "escape":
        return (token as Tokens.Escape).text;
      case "strong":
        return <strong key={key}>{inline((token as Tokens.Strong).tokens, me)}</strong>;
      case "em":
        return <em key={key}>{inline((token as Tokens.Em).tokens, me)}</em>;
      case "del":
        return <del key={key}>{inline((token as Tokens.Del).tokens, me)}</del>;
      case "codespan":
        return <code key={key}>{(token as Tokens.Codespan).text}</code>;
      case "br":
        return <br key={key} />;
      case "link":
        return link(token as Tokens.Link, me, key);
      default:
        // Raw HTML, images and the like: shown as typed, never interpreted.
        return token.raw;
    }
  });
}

function link(token: Tokens.Link, me: string, key: number): ReactNode {
  const href = safeHref(token.href);
  if (!href) return token.raw;
  return (
    <a key={key} href={href} target="_blank" rel="noopener noreferrer nofollow ugc">
      {inline(token.tokens, me)}
    </a>
  );
}
