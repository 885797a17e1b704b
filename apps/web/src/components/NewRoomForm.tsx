import { useState, type FormEvent } from "react";
import type { Api } from "../api.js";
import { ErrorNote } from "./ErrorNote.js";

/** Creates a public or private room; the creator becomes its first member. */
export function NewRoomForm({ api, onDone }: { api: Api; onDone: (id?: string) => Promise<void> }) {
  const [name, setName] = useState("");
  const [type, setType] = useState<"public" | "private">("public");
  const [error, setError] = useState("");
  // Never rejects (a failure shows in the form), so the submit handler may drop its promise.
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!name.trim()) return setError("Give the room a name.");
    try {
      const room = await api.createRoom(name.trim(), type);
      await onDone(room.id);
    } catch (err) {
      setError((err as Error).message);
    }
  };
  return (
    <form className="panel" onSubmit={(ev) => void submit(ev)} aria-label="New room">
      <label htmlFor="new-room-name">Room name</label>
      <input id="new-room-name" autoFocus maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <fieldset>
        <legend>Who can join</legend>
        <label>
          <input type="radio" name="room-type" checked={type === "public"} onChange={() => setType("public")} /> Anyone
          (public)
        </label>
        <label>
          <input type="radio" name="room-type" checked={type === "private"} onChange={() => setType("private")} />{" "}
          Invited only (private)
        </label>
      </fieldset>
      <button type="submit">Create room</button>
      <ErrorNote text={error} />
    </form>
  );
}
