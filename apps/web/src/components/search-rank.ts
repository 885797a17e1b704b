import type { SearchHit } from "@parley/client";

/** How many hits the box asks the server for, and how many it shows once ranked. */
export const SEARCH_FETCH = 100;
export const SEARCH_SHOWN = 20;

/**
 * The server answers newest first, matching the last word as a prefix (search as you type), so "17"
 * listed 179…170 before the message that says "17". Hits containing every query word as a whole word
 * come first; within each tier the server's (newest-first) order is kept.
 */
export function rankHits(hits: readonly SearchHit[], q: string): SearchHit[] {
  const query = words(q);
  if (query.length === 0) return [...hits];
  const exact = (hit: SearchHit) => {
    const own = new Set(words(hit.text));
    return query.every((w) => own.has(w));
  };
  return [...hits.filter(exact), ...hits.filter((h) => !exact(h))];
}

function words(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean);
}
