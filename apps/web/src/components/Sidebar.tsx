import { useState } from "react";
import { roomTitle, type Api, type RoomSummary } from "../api.js";
import { NewRoomForm } from "./NewRoomForm.js";
import { PublicRooms } from "./PublicRooms.js";
import { RoomLink, type Counts } from "./RoomLink.js";
import { UserDirectory } from "./UserDirectory.js";
import { ErrorNote } from "./ErrorNote.js";

interface SidebarProps {
  api: Api;
  me: string;
  rooms: readonly RoomSummary[];
  /** The per-user channel has answered (the rooms are its, not the first paint's); shown as `data-ready`. */
  ready: boolean;
  countsOf: (room: RoomSummary) => Counts;
  active: string | undefined;
  onOpen: (id: string) => void;
  onChanged: () => Promise<void>;
  /** Opens (or creates) the DM with a user from the directory. */
  onDm: (user: string) => Promise<void>;
}

/** Rooms and DMs with unread badges, and the forms to create or join a room. */
export function Sidebar({ api, me, rooms, ready, countsOf, active, onOpen, onChanged, onDm }: SidebarProps) {
  const link = (r: RoomSummary) => (
    <RoomLink key={r.id} summary={r} me={me} active={r.id === active} counts={countsOf(r)} onOpen={onOpen} />
  );
  const [panel, setPanel] = useState<"none" | "create" | "join" | "people">("none");
  const [dmError, setDmError] = useState("");
  const message = async (user: string) => {
    try {
      await onDm(user);
      setPanel("none");
      setDmError("");
    } catch (err) {
      setDmError(`Could not open a DM with ${user}: ${(err as Error).message}`);
    }
  };
  const channels = rooms.filter((r) => r.type !== "dm").sort(byTitle(me));
  const dms = rooms.filter((r) => r.type === "dm").sort(byTitle(me));
  const done = async (id?: string) => {
    setPanel("none");
    await onChanged();
    if (id) onOpen(id);
  };
  return (
    <nav id="sidebar" className="sidebar" aria-label="Rooms and direct messages" data-ready={ready}>
      <h2 id="rooms-heading">Rooms</h2>
      <ul aria-labelledby="rooms-heading">{channels.map(link)}</ul>
      <div className="sidebar-actions">
        <button
          type="button"
          aria-expanded={panel === "create"}
          onClick={() => setPanel(panel === "create" ? "none" : "create")}
        >
          + New room
        </button>
        <button
          type="button"
          aria-expanded={panel === "join"}
          onClick={() => setPanel(panel === "join" ? "none" : "join")}
        >
          Browse rooms
        </button>
      </div>
      {panel === "create" && <NewRoomForm api={api} onDone={done} />}
      {panel === "join" && <PublicRooms api={api} mine={rooms} onDone={done} />}
      <h2 id="dms-heading">Direct messages</h2>
      {dms.length === 0 ? (
        <p className="hint">Find someone under “People” to start one.</p>
      ) : (
        <ul aria-labelledby="dms-heading">{dms.map(link)}</ul>
      )}
      <div className="sidebar-actions">
        <button
          type="button"
          aria-expanded={panel === "people"}
          onClick={() => setPanel(panel === "people" ? "none" : "people")}
        >
          People
        </button>
      </div>
      {panel === "people" && (
        <section className="panel" aria-label="People">
          <UserDirectory api={api} me={me} label="Find people" action="Message" onPick={message} />
          <ErrorNote text={dmError} />
        </section>
      )}
    </nav>
  );
}

function byTitle(me: string) {
  return (a: RoomSummary, b: RoomSummary) => roomTitle(a, me).localeCompare(roomTitle(b, me));
}
