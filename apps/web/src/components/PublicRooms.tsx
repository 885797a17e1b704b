import { useEffect, useState } from "react";
import type { Api, PublicRoom, RoomSummary } from "../api.js";
import { ErrorNote } from "./ErrorNote.js";

/** Public rooms the user is not in yet, each with a Join button. */
export function PublicRooms({
  api,
  mine,
  onDone,
}: {
  api: Api;
  mine: readonly RoomSummary[];
  onDone: (id?: string) => Promise<void>;
}) {
  const [rooms, setRooms] = useState<PublicRoom[] | undefined>(undefined);
  const [error, setError] = useState("");
  useEffect(() => {
    api.publicRooms().then(setRooms, (err: Error) => setError(err.message));
  }, [api]);
  const joined = new Set(mine.map((r) => r.id));
  const open = rooms?.filter((r) => !joined.has(r.id)) ?? [];
  const join = async (id: string) => {
    try {
      await api.join(id);
      await onDone(id);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <section className="panel" aria-label="Public rooms">
      {rooms === undefined && !error && <p role="status">Loading rooms…</p>}
      {rooms !== undefined && open.length === 0 && <p>No other public rooms yet.</p>}
      <ul>
        {open.map((r) => (
          <li key={r.id} className="public-room">
            <span># {r.name || r.id}</span>
            <button type="button" onClick={() => void join(r.id)} aria-label={`Join ${r.name || r.id}`}>
              Join
            </button>
          </li>
        ))}
      </ul>
      <ErrorNote text={error} />
    </section>
  );
}
