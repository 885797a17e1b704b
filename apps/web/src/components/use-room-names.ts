import { useEffect, useState } from "react";
import type { Api } from "../api.js";

/**
 * Names of rooms that are not in the sidebar (a search can find messages in a public room the user
 * never joined), asked once each with `GET /v1/rooms/{room}`; until the answer, or if it fails, the
 * caller shows what it can. `ids` are the rooms to name; known ones are left out by the caller.
 */
export function useRoomNames(api: Api, ids: readonly string[]): ReadonlyMap<string, string> {
  const [names, setNames] = useState<ReadonlyMap<string, string>>(new Map());
  const missing = ids.filter((id) => !names.has(id));
  const key = missing.join("\n");
  useEffect(() => {
    if (key === "") return;
    let live = true;
    for (const id of key.split("\n")) {
      api.room(id).then(
        (info) => live && setNames((m) => new Map(m).set(id, info.name || id)),
        () => live && setNames((m) => new Map(m).set(id, id)), // asked once: the id it is
      );
    }
    return () => {
      live = false;
    };
  }, [api, key]);
  return names;
}
