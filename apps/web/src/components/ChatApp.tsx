import { useCallback, useEffect, useRef, useState, type RefObject } from "react";
import type { SearchHit } from "@parley/client";
import { ApiError, dmPeer, roomTitle, type Api, type RoomSummary } from "../api.js";
import { ConnectionBanner } from "./ConnectionBanner.js";
import { PushSettings } from "./PushSettings.js";
import type { Counts } from "./RoomLink.js";
import { RoomScreen } from "./RoomScreen.js";
import { useSidebarRooms } from "./use-sidebar-rooms.js";
import { SearchBox } from "./SearchBox.js";
import { Sidebar } from "./Sidebar.js";

/** The inbox pushes every count; the sidebar shows them as they are. */
const countsOf = (r: RoomSummary): Counts => ({ unread: r.unread, mentions: r.mentions });
/** The read position comes back from the server as an inbox push (the receipt), on every device. */
const noteRead = (): void => undefined;

/** The signed-in screen: banner, sidebar of rooms and DMs, and the open room. */
export function ChatApp({ api, me, onSignOut }: { api: Api; me: string; onSignOut: () => void }) {
  // The room list and its counts come from the per-user channel: pushed, never polled.
  const { rooms, ready, error: roomsError } = useSidebarRooms(api);
  const [active, setActive] = useState<string | undefined>(() => roomFromHash());
  const [menuOpen, setMenuOpen] = useState(false);
  const [error, setError] = useState("");
  const [focus, setFocus] = useState<{ room: string; seq: number } | undefined>(undefined);
  const greeted = useRef(false);
  // Set once the user (not the first load) picked a room: its composer then takes the focus.
  const [switched, setSwitched] = useState(false);
  const menuButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    // A first-time user (no rooms in the first snapshot) lands in #general; the join is pushed back.
    if (!ready || rooms.length > 0 || greeted.current) return;
    greeted.current = true;
    joinGeneral(api).catch((err: unknown) => setError(`Could not join #general: ${(err as Error).message}`));
  }, [api, ready, rooms.length]);
  useEffect(() => {
    setError(roomsError ? `Could not load your rooms: ${roomsError.message}` : "");
  }, [roomsError]);

  const show = useCallback((id: string) => {
    setActive(id);
    history.replaceState(null, "", `#room=${encodeURIComponent(id)}`);
  }, []);
  const open = useCallback(
    (id: string) => {
      show(id);
      setMenuOpen(false);
      setSwitched(true);
    },
    [show],
  );
  // Rooms just left stay in the list until the inbox's push: never land back in one.
  const left = useRef(new Set<string>());
  useEffect(() => {
    const first = rooms.find((r) => !left.current.has(r.id));
    if (!active && first) show(first.id);
  }, [active, rooms, show]);
  const onLeft = useCallback(() => {
    if (active) left.current.add(active);
    setActive(undefined);
    history.replaceState(null, "", location.pathname);
  }, [active]);
  useHashRoute(setActive);
  usePhoneMenu(menuOpen, setMenuOpen, menuButton);

  const openDm = useCallback(
    async (user: string) => {
      const room = await api.openDm(user);
      open(room.id); // the inbox pushes the DM to both users
    },
    [api, open],
  );

  const current = rooms.find((r) => r.id === active);
  useUnreadTitle(rooms.reduce((n, r) => n + countsOf(r).unread, 0));
  /** A room's title from the sidebar (a DM's from its id); undefined for a room the sidebar lacks. */
  const roomName = (id: string): string | undefined => {
    const r = rooms.find((x) => x.id === id);
    if (r) return roomTitle(r, me);
    return dmPeer(id, me) === undefined ? undefined : roomTitle({ id, name: "", type: "dm" }, me);
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
      <p id="message-keys-hint" className="visually-hidden">
        ↑ and ↓ move between messages. On a message: Enter shows its actions, E edits, R replies in a thread, + reacts,
        Delete deletes, Escape goes back to the message.
      </p>
      <header className="topbar">
        <button
          ref={menuButton}
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
        <SearchBox api={api} roomName={roomName} onPick={jump} />
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
          ready={ready}
          countsOf={countsOf}
          active={active}
          onOpen={open}
          onChanged={settled}
          onDm={openDm}
        />
        {active ? (
          <RoomScreen
            key={active}
            id={active}
            summary={current}
            api={api}
            me={me}
            focusSeq={focus?.room === active ? focus.seq : undefined}
            onRead={noteRead}
            onDm={openDm}
            focusComposer={switched}
            onLeft={onLeft}
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

/** A room created or joined from the sidebar arrives as an inbox push: nothing to reload. */
const settled = (): Promise<void> => Promise.resolve();

/** A room link typed or pasted into the address bar (same page, new hash) opens that room. */
function useHashRoute(setActive: (id: string | undefined) => void): void {
  useEffect(() => {
    const onHash = () => {
      const id = roomFromHash();
      if (id) setActive(id);
    };
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, [setActive]);
}

/** The tab title counts unread messages, "(3) Parley", so a background tab shows there is news. */
function useUnreadTitle(unread: number): void {
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Parley` : "Parley";
  }, [unread]);
}

/** The phone-width rooms menu closes on Escape (focus back on ☰) and on a tap outside it and ☰. */
function usePhoneMenu(open: boolean, setOpen: (open: boolean) => void, button: RefObject<HTMLButtonElement | null>) {
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape") return;
      setOpen(false);
      button.current?.focus();
    };
    const onPointer = (e: PointerEvent) => {
      const target = e.target as Node;
      if (!document.getElementById("sidebar")?.contains(target) && !button.current?.contains(target)) setOpen(false);
    };
    document.addEventListener("keydown", onKey);
    document.addEventListener("pointerdown", onPointer);
    return () => {
      document.removeEventListener("keydown", onKey);
      document.removeEventListener("pointerdown", onPointer);
    };
  }, [open, setOpen, button]);
}

/**
 * A first-time user lands in #general (created by whoever comes first), unless the token does not
 * cover it (caps for `team-*` only, as in the README): then they start with no rooms, not an error.
 */
async function joinGeneral(api: Api): Promise<void> {
  try {
    await enterGeneral(api);
  } catch (err) {
    if (!(err instanceof ApiError && err.code === "FORBIDDEN")) throw err;
  }
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
