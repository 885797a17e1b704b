import { roomTitle, type RoomSummary } from "../api.js";

/** What the badges show. */
export interface Counts {
  unread: number;
  mentions: number;
}

interface RoomLinkProps {
  summary: RoomSummary;
  me: string;
  active: boolean;
  counts: Counts;
  onOpen: (id: string) => void;
}

/**
 * One sidebar entry with its unread and mention badges. Its counts move live through the inbox
 * (others' messages, own receipts from any device) without subscribing to the room.
 */
export function RoomLink({ summary, me, active, counts, onOpen }: RoomLinkProps) {
  const unread = active ? 0 : counts.unread;
  const mentions = active ? 0 : counts.mentions;
  const title = roomTitle(summary, me);
  return (
    <li>
      <a
        href={`#room=${encodeURIComponent(summary.id)}`}
        className={`room-link ${active ? "active" : ""} ${unread > 0 ? "has-unread" : ""}`}
        aria-current={active ? "page" : undefined}
        data-room={summary.id}
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
        {mentions > 0 && (
          <span className="badge mention-badge" data-testid="mention-badge">
            @{mentions}
            <span className="visually-hidden"> mentions</span>
          </span>
        )}
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
