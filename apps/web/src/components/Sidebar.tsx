import { useState } from "react";
import { roomTitle, type Api, type RoomSummary } from "../api.js";
import { NewRoomForm } from "./NewRoomForm.js";
import { PublicRooms } from "./PublicRooms.js";
import { RoomLink, type Counts } from "./RoomLink.js";

interface SidebarProps {
  api: Api;
  me: string;
  rooms: readonly RoomSummary[];
  countsOf: (room: RoomSummary) => Counts;
  active: string | undefined;
  onOpen: (id: string) => void;
  onChanged: () => Promise<void>;
}

/** Rooms and DMs with unread badges, and the forms to create or join a room. */
export function Sidebar({ api, me, rooms, countsOf, active, onOpen, onChanged }: SidebarProps) {
  const link = (r: RoomSummary) => (
    <RoomLink key={r.id} summary={r} me={me} active={r.id === active} counts={countsOf(r)} onOpen={onOpen} />
  );
  const [panel, setPanel] = useState<"none" | "create" | "join">("none");
  const channels = rooms.filter((r) => r.type !== "dm").sort(byTitle(me));
  const dms = rooms.filter((r) => r.type === "dm").sort(byTitle(me));
  const done = async (id?: string) => {
    setPanel("none");
    await onChanged();
    if (id) onOpen(id);
  };
  return (
    <nav id="sidebar" className="sidebar" aria-label="Rooms and direct messages">
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
        <p className="hint">Start one from a room's “Here now” list.</p>
      ) : (
        <ul aria-labelledby="dms-heading">{dms.map(link)}</ul>
      )}
    </nav>
  );
}

function byTitle(me: string) {
  return (a: RoomSummary, b: RoomSummary) => roomTitle(a, me).localeCompare(roomTitle(b, me));
}
