import { useEffect, useState } from "react";
import type { ParleyClient, Room, SubscribedInfo, SubscriptionState } from "@parley/client";
import { useParley } from "./context.js";

/** A subscribed room as a component sees it. */
export interface RoomInfo {
  room: Room;
  state: SubscriptionState;
  /** The last `subscribed` answer: check `recovered` after reconnects. */
  info: SubscribedInfo | undefined;
  /** Why the server refused the subscription (e.g. FORBIDDEN), if it did. */
  error: Error | undefined;
}

// Several components may use one room: the subscription lives while any of them is mounted.
const holders = new WeakMap<ParleyClient, Map<string, number>>();

function hold(client: ParleyClient, id: string): () => void {
  let counts = holders.get(client);
  if (!counts) holders.set(client, (counts = new Map()));
  counts.set(id, (counts.get(id) ?? 0) + 1);
  const room = client.room(id);
  room.subscribe().catch(() => undefined); // refusals arrive as `error` and `unsubscribed` events
  return () => {
    const left = (counts.get(id) ?? 1) - 1;
    if (left > 0) return void counts.set(id, left);
    counts.delete(id);
    void room.unsubscribe(); // keeps the position: re-subscribing later resumes without a gap
  };
}

/** Subscribes to room `id` while mounted (shared between components) and follows its state. */
export function useRoom(id: string): RoomInfo {
  const { client } = useParley();
  const room = client.room(id);
  const [status, setStatus] = useState(() => snapshot(room, undefined));
  useEffect(() => {
    setStatus(snapshot(room, undefined));
    const offs = [
      room.on("subscribed", (info) => setStatus({ room, state: room.state, info, error: undefined })),
      room.on("unsubscribed", () => setStatus((s) => ({ ...s, state: room.state }))),
      room.on("error", (error) => setStatus((s) => ({ ...s, state: room.state, error }))),
    ];
    const release = hold(client, id);
    return () => {
      offs.forEach((off) => off());
      release();
    };
  }, [client, id, room]);
  return status.room === room ? status : snapshot(room, undefined);
}

function snapshot(room: Room, error: Error | undefined): RoomInfo {
  return { room, state: room.state, info: undefined, error };
}
