import { useEffect, useId, useState } from "react";
import type { Api } from "../api.js";
import { ErrorNote } from "./ErrorNote.js";

interface UserDirectoryProps {
  api: Api;
  me: string;
  /** The search box's label ("Find people", "Add people"). */
  label: string;
  /** The button beside each user ("Message", "Add"). */
  action: string;
  /** Users not to list (me always; a room's members when adding). */
  exclude?: readonly string[];
  /** Never rejects: a failure shows as the caller decides. */
  onPick: (user: string) => Promise<void>;
}

/** The user directory (`GET /v1/users?q=`) as you type, each user with one action button. */
export function UserDirectory({ api, me, label, action, exclude = [], onPick }: UserDirectoryProps) {
  const inputId = useId();
  const [q, setQ] = useState("");
  const [users, setUsers] = useState<string[] | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    let live = true;
    api.users(q.trim()).then(
      (found) => {
        if (!live) return;
        setUsers(found);
        setError("");
      },
      (err: Error) => live && setError(`Could not search people: ${err.message}`),
    );
    return () => {
      live = false;
    };
  }, [api, q]);
  const shown = users?.filter((u) => u !== me && !exclude.includes(u));
  return (
    <div className="directory">
      <label htmlFor={inputId}>{label}</label>
      <input id={inputId} type="search" autoComplete="off" value={q} onChange={(e) => setQ(e.target.value)} />
      {shown === undefined && !error && <p role="status">Searching…</p>}
      {shown?.length === 0 && <p role="status">Nobody found{q.trim() ? ` for “${q.trim()}”` : ""}.</p>}
      <ul aria-label="Matching people">
        {shown?.map((u) => (
          <li key={u} className="directory-user">
            <span>{u}</span>
            <button type="button" aria-label={`${action} ${u}`} onClick={() => void onPick(u)}>
              {action}
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote text={error} />
    </div>
  );
}
