import type { ComponentProps } from "react";
import { useRoomAccess } from "./use-room-access.js";
import { RoomView } from "./RoomView.js";

type RoomScreenProps = Omit<ComponentProps<typeof RoomView>, "info">;

/**
 * The open room, once `GET /v1/rooms/{room}` says it may be opened: only then does the room view
 * subscribe (a mistyped link must never create a room). A missing room and a room I may not open
 * say so, with no message list and no usable composer.
 */
export function RoomScreen(props: RoomScreenProps) {
  const { api, id, summary } = props;
  // A join, add or rename (pushed by the inbox) asks again: membership and name follow.
  const access = useRoomAccess(api, id, summary ? `member:${summary.name}` : "not-member");
  if (access.state === "open") return <RoomView {...props} info={access.info} />;
  // A room in my list exists and is mine: it opens at once; the answer adds what only it knows (creator, Join).
  if (access.state === "checking" && summary) return <RoomView {...props} info={undefined} />;
  if (access.state === "checking")
    return (
      <main className="room empty-room" aria-busy="true">
        <p role="status">Opening the room…</p>
      </main>
    );
  const missing = access.state === "missing";
  return (
    <main className="room room-closed" aria-labelledby="room-title">
      <header className="room-header">
        <h1 id="room-title">{missing ? "Room not found" : "No access"}</h1>
      </header>
      <div className="room-closed-body">
        <p role="alert">
          {missing
            ? "There is no room at this link. Check the link, or pick a room from the list."
            : "You may not open this room: it is private and you are not a member (a member can add you), or your access does not cover it."}
        </p>
      </div>
      <form className="composer" onSubmit={(ev) => ev.preventDefault()}>
        <label htmlFor="composer-input" className="visually-hidden">
          Message (not available)
        </label>
        <textarea id="composer-input" rows={1} disabled placeholder="You cannot write here" />
        <button type="submit" disabled>
          Send
        </button>
      </form>
    </main>
  );
}
