import { useEffect, useState } from "react";
import { ApiError, type Api, type RoomInfo } from "../api.js";

/** What the app may do with a room id from a link, the sidebar or search, before it subscribes. */
export type RoomAccess =
  | { state: "checking" }
  | { state: "missing" }
  | { state: "forbidden"; message: string }
  /** `info` is undefined when the server could not be asked (offline): the room opens as it did last time. */
  | { state: "open"; info: RoomInfo | undefined };

/**
 * Asks `GET /v1/rooms/{room}` before the room view subscribes, because subscribing or publishing to an
 * unknown id makes an open room: a mistyped link must say "not found", never create one. Asked again when
 * `version` changes (a join, add or rename pushed by the inbox), so membership and name stay current.
 */
export function useRoomAccess(api: Api, id: string, version: string): RoomAccess {
  const [access, setAccess] = useState<{ id: string; access: RoomAccess }>({ id, access: { state: "checking" } });
  useEffect(() => {
    let live = true;
    api.room(id).then(
      (info) => live && setAccess({ id, access: { state: "open", info } }),
      (err: unknown) => live && setAccess({ id, access: accessOfError(err) }),
    );
    return () => {
      live = false;
    };
  }, [api, id, version]);
  return access.id === id ? access.access : { state: "checking" };
}

function accessOfError(err: unknown): RoomAccess {
  if (err instanceof ApiError && err.code === "ROOM_NOT_FOUND") return { state: "missing" };
  if (err instanceof ApiError && err.code === "FORBIDDEN") return { state: "forbidden", message: err.message };
  // No answer (offline, server down, a reload from the offline shell): open the room as before, so its
  // pending messages show; the id came from the sidebar or a link that worked when it was saved.
  return { state: "open", info: undefined };
}
