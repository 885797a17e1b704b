import type { PresenceMember } from "@parley/protocol";

/** A change in who is in a room: a user's first connection joined, or their last one left. */
export interface PresenceChange {
  readonly type: "join" | "leave";
  readonly room: string;
  readonly user: string;
}

/** How many users and connections are in one room. */
export interface RoomOccupancy {
  readonly room: string;
  readonly users: number;
  readonly connections: number;
}

/** Receives presence changes, local and (in cluster implementations) remote. */
export type PresenceListener = (change: PresenceChange) => void;

/**
 * Who is in a room, per user, with a connection count.
 *
 * Contract:
 * - The gateway calls `join` when a connection's subscription to a room goes
 *   live and `leave` when it unsubscribes, disconnects or times out. Both are
 *   idempotent per (room, user, connection).
 * - A `join` change is emitted when a user's first connection enters a room,
 *   a `leave` change when their last one goes. Extra connections of the same
 *   user only change `connections` in `members`.
 * - `members` answers synchronously from what this node knows. Cluster
 *   implementations (later) keep a local view fed by other nodes, expire a
 *   dead node's users by node heartbeat, and emit their changes to listeners
 *   too, so the gateway forwards remote joins and leaves the same way.
 * - Presence is ephemeral: never sequenced, never stored as history.
 */
export interface Presence {
  join(room: string, user: string, connection: string): void;
  leave(room: string, user: string, connection: string): void;
  members(room: string): PresenceMember[];
  /** Every room someone is in, with its users and connections, from what this node knows (as `members`). */
  occupancy(): RoomOccupancy[];
  /** Registers a change listener; returns an unsubscribe function. */
  onChange(listener: PresenceListener): () => void;
}
