import type { PresenceMember } from "@parley/protocol";
import type { Presence, PresenceChange, PresenceListener, RoomOccupancy } from "./presence.js";

/** Single-node presence: room → user → set of connection ids, all in memory. */
export class LocalPresence implements Presence {
  private readonly rooms = new Map<string, Map<string, Set<string>>>();
  private readonly listeners = new Set<PresenceListener>();

  /** Adds a connection; emits `join` when it is the user's first in the room. */
  join(room: string, user: string, connection: string): void {
    let users = this.rooms.get(room);
    if (!users) this.rooms.set(room, (users = new Map()));
    let conns = users.get(user);
    if (!conns) users.set(user, (conns = new Set()));
    if (conns.has(connection)) return;
    conns.add(connection);
    if (conns.size === 1) this.emit({ type: "join", room, user });
  }

  /** Removes a connection; emits `leave` when it was the user's last in the room. */
  leave(room: string, user: string, connection: string): void {
    const users = this.rooms.get(room);
    const conns = users?.get(user);
    if (!users || !conns || !conns.delete(connection)) return;
    if (conns.size > 0) return;
    users.delete(user);
    if (users.size === 0) this.rooms.delete(room);
    this.emit({ type: "leave", room, user });
  }

  /** Users present in the room, sorted by user id for stable output. */
  members(room: string): PresenceMember[] {
    const users = this.rooms.get(room);
    if (!users) return [];
    const out: PresenceMember[] = [];
    for (const [user, conns] of users) out.push({ user, connections: conns.size });
    return out.sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  /** Every room with someone in it. */
  occupancy(): RoomOccupancy[] {
    const out: RoomOccupancy[] = [];
    for (const [room, users] of this.rooms) {
      let connections = 0;
      for (const conns of users.values()) connections += conns.size;
      out.push({ room, users: users.size, connections });
    }
    return out;
  }

  /** Registers a change listener; returns an unsubscribe function. */
  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(change: PresenceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
