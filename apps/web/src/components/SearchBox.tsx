import { useMemo, useState, type ReactNode } from "react";
import { useSearch } from "@parley/react";
import type { SearchHit } from "@parley/client";
import { rankHits, SEARCH_FETCH, SEARCH_SHOWN } from "./search-rank.js";
import { clock } from "./time.js";
import type { Api } from "../api.js";
import { useRoomNames } from "./use-room-names.js";

/** The search box in the top bar: results as you type; picking one opens its room at the message. */
export function SearchBox(props: {
  api: Api;
  /** The sidebar's title of a room; undefined for one it lacks, whose name is then asked of the server. */
  roomName: (id: string) => string | undefined;
  onPick: (hit: SearchHit) => void;
}) {
  const [q, setQ] = useState("");
  const [open, setOpen] = useState(false);
  const { hits: found, loading, error } = useSearch(q, { limit: SEARCH_FETCH });
  const hits = useMemo(() => rankHits(found, q).slice(0, SEARCH_SHOWN), [found, q]);
  const unknown = [...new Set(hits.map((h) => h.room))].filter((id) => props.roomName(id) === undefined);
  const asked = useRoomNames(props.api, unknown);
  // Ids stay hidden: a room whose name has not come yet shows as "…".
  const title = (id: string) => props.roomName(id) ?? asked.get(id) ?? "…";
  const show = open && q.trim().length > 0;
  return (
    <div className="search" onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <label htmlFor="search-input" className="visually-hidden">
        Search messages
      </label>
      <input
        id="search-input"
        type="search"
        placeholder="Search"
        value={q}
        autoComplete="off"
        onChange={(e) => {
          setQ(e.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(true)}
      />
      {show && (
        <div className="search-results" role="region" aria-label="Search results" aria-busy={loading}>
          {error && <p className="error">Search failed: {error.message}</p>}
          {!loading && !error && hits.length === 0 && <p className="hint">No messages found.</p>}
          <ul>
            {hits.map((hit) => (
              <li key={`${hit.room}:${hit.seq}`}>
                <button
                  type="button"
                  className="search-hit"
                  data-room={hit.room}
                  data-seq={hit.seq}
                  onClick={() => {
                    setOpen(false);
                    props.onPick(hit);
                  }}
                >
                  <span className="hit-meta">
                    {title(hit.room)} · {hit.from} · {clock(hit.ts)}
                  </span>
                  <span className="hit-text">{highlight(hit.snippet || hit.text, q)}</span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/** The query's words marked in a snippet. */
function highlight(text: string, q: string): ReactNode[] {
  const words = q.trim().split(/\s+/).filter(Boolean).map(escape);
  if (words.length === 0) return [text];
  const parts = text.split(new RegExp(`(${words.join("|")})`, "gi"));
  return parts.map((part, i) => (i % 2 === 1 ? <mark key={i}>{part}</mark> : part));
}

function escape(word: string): string {
  return word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
