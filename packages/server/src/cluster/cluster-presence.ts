/**
 * Presence across gateways, independent of transport: this node's own
 * connections plus the latest snapshot every other node published. Nodes
 * publish their full local view on every change and on a heartbeat; a node
 * not heard from within `nodeTimeoutMs` is dead and its users leave. Full
 * snapshots keep the protocol trivially convergent (no lost-delta repair);
 * their size is this node's presence entries, fine up to tens of thousands.
 */
import type { PresenceMember } from "@parley/protocol";
import type { Presence, PresenceChange, PresenceListener, RoomOccupancy } from "../presence/presence.js";

/** What nodes publish: their whole local view, `[room, user, connections]` triples; empty when leaving. */
export interface PresenceSnapshot {
  readonly node: string;
  readonly entries: ReadonlyArray<readonly [string, string, number]>;
}

/** Options of ClusterPresence. */
export interface ClusterPresenceOptions {
  readonly nodeId: string;
  /** Sends this node's snapshot to the others (best effort: the heartbeat repeats it). */
  readonly publish: (snapshot: PresenceSnapshot) => void;
  /** A node silent this long is considered dead. Default 8000 ms. */
  readonly nodeTimeoutMs?: number;
  /**
   * 0 (default): a local join or leave publishes at once. Above 0: the
   * changes of this many ms go out as one snapshot, so n connections
   * subscribing cost a few snapshots instead of n (each is the whole local
   * view: per-change publishing made a subscribe storm quadratic).
   */
  readonly publishDelayMs?: number;
  readonly now?: () => number;
}

type Users = Map<string, number>;
interface RemoteNode {
  seen: number;
  rooms: Map<string, Users>;
}

/** Cluster-wide Presence: local connections are exact, remote ones as fresh as the last snapshot. */
export class ClusterPresence implements Presence {
  /** room → user → this node's connection ids. */
  private readonly local = new Map<string, Map<string, Set<string>>>();
  private readonly remote = new Map<string, RemoteNode>();
  private readonly listeners = new Set<PresenceListener>();
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private publishTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ClusterPresenceOptions) {
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.nodeTimeoutMs ?? 8000;
  }

  join(room: string, user: string, connection: string): void {
    this.tracked([[room, user]], () => {
      let users = this.local.get(room);
      if (!users) this.local.set(room, (users = new Map()));
      let conns = users.get(user);
      if (!conns) users.set(user, (conns = new Set()));
      conns.add(connection);
    });
    this.changed();
  }

  leave(room: string, user: string, connection: string): void {
    this.tracked([[room, user]], () => {
      const users = this.local.get(room);
      const conns = users?.get(user);
      if (!users || !conns?.delete(connection) || conns.size > 0) return;
      users.delete(user);
      if (users.size === 0) this.local.delete(room);
    });
    this.changed();
  }

  members(room: string): PresenceMember[] {
    const counts = new Map<string, number>();
    for (const [user, conns] of this.local.get(room) ?? []) counts.set(user, conns.size);
    for (const node of this.remote.values()) {
      for (const [user, n] of node.rooms.get(room) ?? []) counts.set(user, (counts.get(user) ?? 0) + n);
    }
    return [...counts]
      .map(([user, connections]) => ({ user, connections }))
      .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0));
  }

  /** Every room someone is in on any node: the rooms of this node's view and of every snapshot. */
  occupancy(): RoomOccupancy[] {
    const rooms = new Set(this.local.keys());
    for (const node of this.remote.values()) for (const room of node.rooms.keys()) rooms.add(room);
    return [...rooms].map((room) => {
      const members = this.members(room);
      return { room, users: members.length, connections: members.reduce((n, m) => n + m.connections, 0) };
    });
  }

  onChange(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** This node's view, as published. */
  snapshot(): PresenceSnapshot {
    return { node: this.options.nodeId, entries: this.localEntries() };
  }

  /** Publishes this node's view (call on a heartbeat timer); a delayed publish of pending changes is then moot. */
  publishSnapshot(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
    this.options.publish(this.snapshot());
  }

  /** Stops a pending delayed publish (the node is stopping). */
  stop(): void {
    clearTimeout(this.publishTimer);
    this.publishTimer = undefined;
  }

  private changed(): void {
    const delay = this.options.publishDelayMs ?? 0;
    if (delay <= 0) return this.publishSnapshot();
    if (this.publishTimer) return;
    this.publishTimer = setTimeout(() => this.publishSnapshot(), delay);
    this.publishTimer.unref();
  }

  /** Applies another node's snapshot; emits the joins and leaves it implies. */
  apply(snapshot: PresenceSnapshot): void {
    if (snapshot.node === this.options.nodeId) return;
    const rooms = new Map<string, Users>();
    for (const [room, user, n] of snapshot.entries) {
      if (typeof room !== "string" || typeof user !== "string" || !(n > 0)) continue;
      let users = rooms.get(room);
      if (!users) rooms.set(room, (users = new Map()));
      users.set(user, n);
    }
    const before = this.remote.get(snapshot.node);
    const touched = [...pairs(before?.rooms), ...pairs(rooms)];
    this.tracked(touched, () => {
      if (snapshot.entries.length === 0) this.remote.delete(snapshot.node);
      else this.remote.set(snapshot.node, { seen: this.now(), rooms });
    });
  }

  /** Forgets nodes not heard from within the timeout; their users leave. Call every second or so. */
  expire(): void {
    const cutoff = this.now() - this.timeoutMs;
    for (const [id, node] of this.remote) {
      if (node.seen < cutoff) this.tracked([...pairs(node.rooms)], () => this.remote.delete(id));
    }
  }

  private total(room: string, user: string): number {
    let n = this.local.get(room)?.get(user)?.size ?? 0;
    for (const node of this.remote.values()) n += node.rooms.get(room)?.get(user) ?? 0;
    return n;
  }

  /** Runs `change`, then emits join/leave for each (room, user) whose presence flipped. */
  private tracked(keys: Array<readonly [string, string]>, change: () => void): void {
    const unique = new Map(keys.map(([room, user]) => [`${room}\u0000${user}`, [room, user] as const]));
    const before = new Map([...unique].map(([k, [room, user]]) => [k, this.total(room, user) > 0]));
    change();
    for (const [k, [room, user]] of unique) {
      const now = this.total(room, user) > 0;
      if (now !== before.get(k)) this.emit({ type: now ? "join" : "leave", room, user });
    }
  }

  private localEntries(): Array<readonly [string, string, number]> {
    const out: Array<readonly [string, string, number]> = [];
    for (const [room, users] of this.local) for (const [user, conns] of users) out.push([room, user, conns.size]);
    return out;
  }

  private emit(change: PresenceChange): void {
    for (const listener of this.listeners) listener(change);
  }
}

function* pairs(rooms: Map<string, Users> | undefined): Generator<readonly [string, string]> {
  for (const [room, users] of rooms ?? []) for (const user of users.keys()) yield [room, user];
}
