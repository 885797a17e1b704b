import { useEffect, useState } from "react";
import type { SearchHit } from "@parley/client";
import { useParley } from "./context.js";

/** Options of {@link useSearch}. */
export interface UseSearchOptions {
  /** Only this room. */
  room?: string;
  limit?: number;
  /** Wait this long after the last change of `q` (default 250 ms). */
  debounceMs?: number;
}

/** Search results for the current query. */
export interface SearchResult {
  hits: SearchHit[];
  /** A search for the current query is on its way. */
  loading: boolean;
  error: Error | undefined;
}

const NONE: SearchHit[] = [];

/** Full-text search as the user types: debounced, and answers to an older query never overwrite a newer one. */
export function useSearch(q: string, options: UseSearchOptions = {}): SearchResult {
  const { client } = useParley();
  const { room, limit, debounceMs = 250 } = options;
  const [result, setResult] = useState<SearchResult>({ hits: NONE, loading: false, error: undefined });
  useEffect(() => {
    const query = q.trim();
    if (!query) return setResult({ hits: NONE, loading: false, error: undefined });
    let live = true;
    setResult((r) => ({ ...r, loading: true }));
    const timer = setTimeout(() => {
      const opts = { ...(room !== undefined ? { room } : {}), ...(limit !== undefined ? { limit } : {}) };
      client.search(query, opts).then(
        (hits) => live && setResult({ hits, loading: false, error: undefined }),
        (error: unknown) => live && setResult({ hits: NONE, loading: false, error: error as Error }),
      );
    }, debounceMs);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [client, q, room, limit, debounceMs]);
  return result;
}
