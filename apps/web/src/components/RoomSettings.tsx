import { useCallback, useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { useRoom } from "@parley/react";
import type { Api, RoomInfo } from "../api.js";
import { UserDirectory } from "./UserDirectory.js";
import { ErrorNote } from "./ErrorNote.js";

interface RoomSettingsProps {
  api: Api;
  me: string;
  info: RoomInfo;
  /** I left the room: the app moves on to another one. */
  onLeft: () => void;
  /** Escape closes the panel (the focus goes back to its button). */
  onClose: () => void;
}

/** The room's system events that change who is in it. */
const MEMBERSHIP = new Set(["member.joined", "member.left", "room.created", "room.private"]);

/**
 * A room's members and what may be done to them: add from the directory (members), remove (moderators:
 * the creator; the server refuses anyone else and its message is shown), rename (the creator), leave.
 * Changes reach every sidebar through the inbox; this panel re-reads the member list after its own.
 */
export function RoomSettings({ api, me, info, onLeft, onClose }: RoomSettingsProps) {
  const [members, setMembers] = useState<string[]>([]);
  const [error, setError] = useState("");
  const [notice, setNotice] = useState("");
  const reload = useCallback(() => api.members(info.id).then(setMembers), [api, info.id]);
  useEffect(() => {
    reload().catch((err: Error) => setError(`Could not list members: ${err.message}`));
  }, [reload]);
  useMembershipEvents(info.id, reload);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const onKeyDown = (ev: KeyboardEvent) => {
    if (ev.key !== "Escape") return;
    ev.stopPropagation();
    onClose();
  };
  const act = async (what: () => Promise<unknown>, done: string) => {
    try {
      await what();
      setError("");
      setNotice(done);
      await reload();
    } catch (err) {
      setNotice("");
      setError((err as Error).message);
    }
  };
  const leave = () => api.leave(info.id).then(onLeft, (err: Error) => setError(`Could not leave: ${err.message}`));
  const moderator = info.moderator;
  const dm = info.type === "dm";
  return (
    <aside
      id="room-settings"
      className="side-panel room-settings"
      aria-labelledby="room-settings-heading"
      onKeyDown={onKeyDown}
    >
      <h2 id="room-settings-heading" ref={heading} tabIndex={-1}>
        Members
      </h2>
      <ul aria-label="Members">
        {members.map((u) => (
          <li key={u} className="member">
            <span>{u === me ? `${u} (you)` : u}</span>
            {moderator && u !== me && !dm && (
              <button
                type="button"
                aria-label={`Remove ${u}`}
                onClick={() => void act(() => api.removeMember(info.id, u), `${u} was removed.`)}
              >
                Remove
              </button>
            )}
          </li>
        ))}
      </ul>
      <p role="status" className="notice">
        {notice}
      </p>
      <ErrorNote text={error} />
      {!dm && info.member && (
        <UserDirectory
          api={api}
          me={me}
          label="Add people"
          action="Add"
          exclude={members}
          onPick={(u) => act(() => api.addMember(info.id, u), `${u} was added.`)}
        />
      )}
      {!dm && moderator && <RenameForm api={api} info={info} onError={setError} />}
      {!dm && info.member && (
        <button type="button" className="leave-button" onClick={() => void leave()}>
          Leave room
        </button>
      )}
    </aside>
  );
}

/** Re-reads the member list when someone joins, leaves, is added or removed (the room's system events). */
function useMembershipEvents(id: string, reload: () => Promise<void>): void {
  const { room } = useRoom(id);
  useEffect(
    () =>
      room.on("event", (event) => {
        const type = (event.body as { type?: unknown } | undefined)?.type;
        if (event.kind === "system" && typeof type === "string" && MEMBERSHIP.has(type))
          reload().catch(() => undefined);
      }),
    [room, reload],
  );
}

/** The creator renames the room; the new name is pushed to every member's sidebar. */
function RenameForm({ api, info, onError }: { api: Api; info: RoomInfo; onError: (message: string) => void }) {
  const [name, setName] = useState(info.name);
  const [saved, setSaved] = useState("");
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    if (!name.trim()) return onError("Give the room a name.");
    try {
      await api.rename(info.id, name.trim());
      setSaved(`Renamed to “${name.trim()}”.`);
    } catch (err) {
      onError((err as Error).message);
    }
  };
  return (
    <form className="rename" onSubmit={(ev) => void submit(ev)} aria-label="Rename room">
      <label htmlFor="rename-room">Room name</label>
      <input id="rename-room" maxLength={200} value={name} onChange={(e) => setName(e.target.value)} />
      <button type="submit">Rename</button>
      <p role="status">{saved}</p>
    </form>
  );
}
