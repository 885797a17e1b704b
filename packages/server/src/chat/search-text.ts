/**
 * The dialect-free half of search: turning a user's query into plain words
 * (so quotes, `*`, `NEAR(` or `:` are never query syntax) and cutting the
 * plain-text snippet of a hit. Each dialect builds its own match expression
 * from the words (store/sqlite-chat.ts, store/postgres-chat.ts).
 */

/** Most words of a query that are used; the rest are ignored. */
export const MAX_QUERY_WORDS = 16;
/** Length of a snippet, in UTF-16 code units (docs: "at most ~200 characters"). */
export const SNIPPET_LENGTH = 200;

const WORD = /[\p{L}\p{N}]+/gu;

/** The distinct words of `q`, lower-cased, at most MAX_QUERY_WORDS; empty when nothing is searchable. */
export function queryWords(q: string): string[] {
  const words = new Set((q.normalize("NFKC").toLowerCase().match(WORD) ?? []).filter((w) => w.length <= 64));
  return [...words].slice(0, MAX_QUERY_WORDS);
}

/** A plain-text excerpt of `text` around the first occurrence of any of `words`. */
export function snippetOf(text: string, words: readonly string[]): string {
  if (text.length <= SNIPPET_LENGTH) return text;
  const lower = text.toLowerCase();
  const hits = words.map((w) => lower.indexOf(w)).filter((i) => i >= 0);
  const first = hits.length > 0 ? Math.min(...hits) : 0;
  const start = Math.max(0, Math.min(first - SNIPPET_LENGTH / 4, text.length - SNIPPET_LENGTH));
  const cut = text.slice(start, start + SNIPPET_LENGTH);
  return `${start > 0 ? "…" : ""}${cut}${start + SNIPPET_LENGTH < text.length ? "…" : ""}`;
}
