/**
 * The dialect-free half of search: turning a user's query into plain words
 * (so quotes, `*`, `NEAR(` or `:` are never query syntax) and cutting the
 * plain-text snippet of a hit. Each dialect builds its own match expression
 * from the words (store/sqlite-chat.ts, store/postgres-chat.ts).
 */

/** Most words a query may have: every word must match, so a longer query is refused rather than cut. */
export const MAX_QUERY_WORDS = 16;
/** Longest word of a query, in characters (no indexed word is longer). */
export const MAX_WORD_LENGTH = 64;
/** Length of a snippet, in UTF-16 code units (docs: "at most ~200 characters"). */
export const SNIPPET_LENGTH = 200;

const WORD = /[\p{L}\p{N}]+/gu;

/** The distinct words of `q`, lower-cased; empty when nothing is searchable. Callers refuse what `queryProblem` names. */
export function queryWords(q: string): string[] {
  return [...new Set(q.normalize("NFKC").toLowerCase().match(WORD) ?? [])];
}

/**
 * Why `q` cannot be searched as asked (too many words, or a word too long), or
 * undefined. Both entry points refuse it (a frame with BAD_FRAME, REST with
 * BAD_REQUEST) instead of dropping words, since every word must match.
 */
export function queryProblem(q: string): string | undefined {
  const words = queryWords(q);
  if (words.length > MAX_QUERY_WORDS) return `\`q\` has ${words.length} distinct words; at most ${MAX_QUERY_WORDS}`;
  const long = words.find((w) => w.length > MAX_WORD_LENGTH);
  return long === undefined ? undefined : `\`q\` has a word longer than ${MAX_WORD_LENGTH} characters`;
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
