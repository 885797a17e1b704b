import { useEffect, useRef, useState } from "react";
import { useRoom } from "@parley/react";
import { roomTitle, type RoomSummary } from "../api.js";

/**
 * One sidebar entry. It keeps its room subscribed so the unread badge moves
 * live: the server's count at the last refresh plus others' messages since.
 */
export function RoomLink(props: { summary: RoomSummary; me: string; active: boolean; onOpen: (id: string) => void }) {
  const { summary, me, active, onOpen } = props;
  const { room } = useRoom(summary.id);
  const [extra, setExtra] = useState(0);
  const activeRef = useRef(active);
  activeRef.current = active;
  useEffect(() => {
    setExtra(0);
    return room.on("event", (e) => {
      if (!activeRef.current && e.from !== me && e.seq > summary.lastSeq) setExtra((n) => n + 1);
    });
  }, [room, me, summary]);
  useEffect(() => {
    if (active) setExtra(0);
  }, [active]);
  const unread = active ? 0 : summary.unread + extra;
  const title = roomTitle(summary, me);
  return (
    <li>
      <a
        href={`#room=${encodeURIComponent(summary.id)}`}
        className={`room-link ${active ? "active" : ""} ${unread > 0 ? "has-unread" : ""}`}
        aria-current={active ? "page" : undefined}
        onClick={(ev) => {
          ev.preventDefault();
          onOpen(summary.id);
        }}
      >
        <span className="room-icon" aria-hidden="true">
          {summary.type === "dm" ? "@" : summary.type === "private" ? "🔒" : "#"}
        </span>
        <span className="room-name">{title.replace(/^@/, "")}</span>
        {summary.type === "private" && <span className="visually-hidden"> (private)</span>}
        {unread > 0 && (
          <span className="badge" data-testid="unread-badge">
            {unread >= 100 ? "99+" : unread}
            <span className="visually-hidden"> unread</span>
          </span>
        )}
      </a>
    </li>
  );
}
