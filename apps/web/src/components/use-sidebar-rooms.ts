import { useEffect, useState } from "react";
import { useRooms, type RoomsResult } from "@parley/react";
import type { Api, RoomSummary } from "../api.js";

/**
 * The sidebar's rooms: the per-user channel's (`useRooms`, pushed), and until it has answered, `GET
 * /v1/rooms`, asked once at start, so a socket that cannot connect while REST works still shows the rooms.
 */
export function useSidebarRooms(api: Api): Pick<RoomsResult, "ready" | "error"> & { rooms: readonly RoomSummary[] } {
  const inbox = useRooms();
  const [fallback, setFallback] = useState<RoomSummary[] | undefined>(undefined);
  const answered = inbox.ready;
  useEffect(() => {
    if (answered) return;
    let live = true;
    api.myRooms().then(
      (rooms) => live && setFallback(rooms),
      () => undefined, // offline too: the inbox answers once the link is back
    );
    return () => {
      live = false;
    };
    // Asked once: the inbox answering later takes over for good.
  }, [api]);
  if (answered || !fallback) return inbox;
  return { rooms: fallback, ready: false, error: inbox.error };
}
