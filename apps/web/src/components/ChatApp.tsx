import { useCallback, useEffect, useState } from "react";
import { useConnectionState, useUnread } from "@parley/react";
import type { SearchHit } from "@parley/client";
import { ApiError, roomTitle, type Api, type RoomSummary } from "../api.js";
import { ConnectionBanner } from "./ConnectionBanner.js";
import { PushSettings } from "./PushSettings.js";
import type { Counts } from "./RoomLink.js";
import { RoomView } from "./RoomView.js";
import { SearchBox } from "./SearchBox.js";
import { Sidebar } from "./Sidebar.js";

const REFRESH_MS = 15_000;
const NO_COUNTS: Counts = { unread: 0, mentions: 0 };

/** The signed-in screen: banner, sidebar of rooms and DMs, and the open room. */
export function ChatApp({ api, me, onSignOut }: { api: Api; me: string; onSignOut: () => void }) {
  const [rooms, setRooms] = useState<RoomSummary[]>([]);
  const [active, setActive] = useState<string | undefined>(() => roomFromHash());
  const [menuOpen, setMenuOpen] = useState(false);
  const [error, setError] = useState("");
  const [focus, setFocus] = useState<{ room: string; seq: number } | undefined>(undefined);
  const { state } = useConnectionState();
  const unread = useUnread();
  const refreshUnread = unread.refresh;

  const refresh = useCallback(async () => {
    try {
      let list = await api.myRooms();
      if (list.length === 0) list = await joinGeneral(api);
      setRooms(list);
      setError("");
      refreshUnread();
    } catch (err) {
      setError(`Could not load your rooms: ${(err as Error).message}`);
    }
  }, [api, refreshUnread]);

  useEffect(() => {
    if (state !== "connected") return; // refresh on every (re)connect and every so often while up
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [state, refresh]);

  const open = useCallback((id: string) => {
    setActive(id);
    setMenuOpen(false);
    history.replaceState(null, "", `#room=${encodeURIComponent(id)}`);
  }, []);
  useEffect(() => {
    if (!active && rooms[0]) open(rooms[0].id);
  }, [active, rooms, open]);

  const markedRead = useCallback((id: string, seq: number) => {
    setRooms((rs) =>
      rs.map((r) =>
        r.id === id && seq > r.lastReadSeq
          ? { ...r, lastReadSeq: seq, lastSeq: Math.max(seq, r.lastSeq), unread: 0 }
          : r,
      ),
    );
  }, []);
  const openDm = useCallback(
    async (user: string) => {
      const room = await api.openDm(user);
      await refresh();
      open(room.id);
    },
    [api, refresh, open],
  );

  const current = rooms.find((r) => r.id === active);
  // Exact counts once the server answered; the room list's own (older, all-events) count only if it cannot.
  const countsOf = (r: RoomSummary): Counts => {
    if (unread.ready) return unread.rooms.get(r.id) ?? NO_COUNTS;
    return unread.error ? { unread: r.unread, mentions: 0 } : NO_COUNTS;
  };
  const roomName = (id: string) => {
    const r = rooms.find((x) => x.id === id);
    return r ? roomTitle(r, me) : id;
  };
  const jump = (hit: SearchHit) => {
    setFocus({ room: hit.room, seq: hit.seq });
    open(hit.room);
  };
  return (
    <div className={`app ${menuOpen ? "menu-open" : ""}`}>
      <a className="skip-link" href="#composer-input">
        Skip to message box
      </a>
      <ConnectionBanner />
      <header className="topbar">
        <button
          type="button"
          className="menu-button"
          aria-expanded={menuOpen}
          aria-controls="sidebar"
          onClick={() => setMenuOpen((o) => !o)}
        >
          <span aria-hidden="true">☰</span>
          <span className="visually-hidden">Rooms</span>
        </button>
        <span className="brand">Parley</span>
        <SearchBox roomName={roomName} onPick={jump} />
        <span className="me">
          <span className="me-label">Signed in as </span>
          <strong>{me}</strong>
        </span>
        <PushSettings api={api} onOpenRoom={open} />
        <button type="button" className="link-button" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      {error && (
        <p role="alert" className="error app-error">
          {error}
        </p>
      )}
      <div className="layout">
        <Sidebar
          api={api}
          me={me}
          rooms={rooms}
          countsOf={countsOf}
          active={active}
          onOpen={open}
          onChanged={refresh}
        />
        {active ? (
          <RoomView
            key={active}
            id={active}
            summary={current}
            api={api}
            me={me}
            focusSeq={focus?.room === active ? focus.seq : undefined}
            onRead={markedRead}
            onDm={openDm}
          />
        ) : (
          <main className="room empty-room">
            <p>Pick or create a room.</p>
          </main>
        )}
      </div>
    </div>
  );
}

/**
 * A first-time user lands in #general (created by whoever comes first), unless the token does not
 * cover it (caps for `team-*` only, as in the README): then they start with no rooms, not an error.
 */
async function joinGeneral(api: Api): Promise<RoomSummary[]> {
  try {
    await enterGeneral(api);
  } catch (err) {
    if (err instanceof ApiError && err.code === "FORBIDDEN") return [];
    throw err;
  }
  return api.myRooms();
}

async function enterGeneral(api: Api): Promise<void> {
  try {
    await api.join("general");
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "ROOM_NOT_FOUND")) throw err;
    await api
      .call("POST", "/v1/rooms", { id: "general", name: "general", type: "public" })
      .catch(async (e: unknown) => {
        if (!(e instanceof ApiError && e.code === "ROOM_EXISTS")) throw e;
        await api.join("general"); // someone else created it just now
      });
  }
}

function roomFromHash(): string | undefined {
  const [, room] = /^#room=(.+)$/.exec(location.hash) ?? [];
  return room === undefined ? undefined : decodeURIComponent(room);
}
