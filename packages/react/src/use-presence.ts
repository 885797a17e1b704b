import { useEffect, useState } from "react";
import type { PresenceMember } from "@parley/protocol";
import { useRoom } from "./use-room.js";

/** Who is in a room now. */
export interface PresenceResult {
  members: PresenceMember[];
  /** False until the first answer, and again while a refresh after a reconnect is pending. */
  fresh: boolean;
}

/**
 * The room's presence list: read once subscribed, then kept current from join
 * and leave events. Every (re)subscription reads it again, since joins and
 * leaves that happened while the link was down were never delivered.
 */
export function usePresence(id: string): PresenceResult {
  const { room } = useRoom(id);
  const [result, setResult] = useState<PresenceResult>({ members: [], fresh: false });
  useEffect(() => {
    let stopped = false;
    const refresh = (): void => {
      room.presence().then(
        (members) => !stopped && setResult({ members: sortMembers(members), fresh: true }),
        () => !stopped && setResult((r) => ({ ...r, fresh: false })),
      );
    };
    setResult({ members: [], fresh: false });
    const offs = [
      room.on("subscribed", () => refresh()),
      room.on("join", ({ user }) => setResult((r) => ({ ...r, members: joined(r.members, user) }))),
      // A leave may be one of several connections of the user: ask instead of guessing.
      room.on("leave", () => refresh()),
    ];
    if (room.state === "subscribed") refresh();
    return () => {
      stopped = true;
      offs.forEach((off) => off());
    };
  }, [room]);
  return result;
}

function joined(members: PresenceMember[], user: string): PresenceMember[] {
  if (members.some((m) => m.user === user)) return members;
  return sortMembers([...members, { user, connections: 1 }]);
}

function sortMembers(members: PresenceMember[]): PresenceMember[] {
  return [...members].sort((a, b) => a.user.localeCompare(b.user));
}
