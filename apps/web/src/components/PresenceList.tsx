import { useConnectionState, usePresence } from "@parley/react";

/** Who is in the room now; anyone but me gets a "Message" button that opens a DM. */
export function PresenceList(props: { id: string; me: string; open: boolean; onDm: (user: string) => Promise<void> }) {
  const { members, fresh } = usePresence(props.id);
  // While the link is down this list is only what we last knew: say so instead of showing it as live.
  const live = useConnectionState().state === "connected" && fresh;
  return (
    <aside
      id="presence"
      className={`presence ${props.open ? "open" : ""} ${live ? "" : "stale"}`}
      aria-labelledby="presence-heading"
    >
      <h2 id="presence-heading">
        Here now <span className="count">{live ? members.length : "(last known)"}</span>
      </h2>
      <ul>
        {members.map((m) => (
          <li key={m.user}>
            <span className="dot" aria-hidden="true" />
            <span className="who">{m.user === props.me ? `${m.user} (you)` : m.user}</span>
            {m.user !== props.me && (
              <button
                type="button"
                className="dm-button"
                aria-label={`Message ${m.user}`}
                onClick={() => void props.onDm(m.user)}
              >
                Message
              </button>
            )}
          </li>
        ))}
      </ul>
    </aside>
  );
}
