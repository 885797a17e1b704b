/**
 * A redistributor's view of the backchannel (`<prefix>interest`): which
 * gateway wants which room, and whose lease is alive. Built from the
 * compacted topic's records in order; a gateway whose lease lapsed (no
 * renewal within its lease) counts for nothing until it renews, so a dead
 * gateway's interest expires without anyone withdrawing it. Pure: the clock
 * is injected.
 */
import type { DirectInbox, InterestRecord } from "../routing-records.js";

/** The interest table. */
export class InterestTable {
  private readonly byRoom = new Map<string, Set<string>>();
  private readonly byGateway = new Map<string, Set<string>>();
  /** Per gateway, when its lease runs out (ms since the epoch). */
  private readonly leases = new Map<string, number>();
  /** Per gateway that takes direct forwarding, where (its latest lease says). */
  private readonly direct = new Map<string, DirectInbox>();

  constructor(private readonly now: () => number = Date.now) {}

  /**
   * Applies one backchannel record; `at` is when it was written (its Kafka
   * timestamp), so a lease read back at start is as old as it really is.
   */
  apply(rec: InterestRecord, at: number): void {
    switch (rec.type) {
      case "lease":
        this.leases.set(rec.gateway, Math.max(this.leases.get(rec.gateway) ?? 0, at + rec.leaseMs));
        if (rec.direct) this.direct.set(rec.gateway, rec.direct);
        else this.direct.delete(rec.gateway);
        return;
      case "leave":
        this.forget(rec.gateway);
        return;
      case "declare":
        add(this.byRoom, rec.room, rec.gateway);
        add(this.byGateway, rec.gateway, rec.room);
        return;
      case "withdraw":
        remove(this.byRoom, rec.room, rec.gateway);
        remove(this.byGateway, rec.gateway, rec.room);
        return;
    }
  }

  /** True while the gateway's lease runs. */
  alive(gateway: string): boolean {
    return (this.leases.get(gateway) ?? 0) > this.now();
  }

  /** Where to deliver to `gateway` directly; undefined: over its forward topic. */
  directInbox(gateway: string): DirectInbox | undefined {
    return this.direct.get(gateway);
  }

  /** The live gateways that want `room`. */
  gatewaysFor(room: string): string[] {
    return [...(this.byRoom.get(room) ?? [])].filter((g) => this.alive(g));
  }

  /** Every gateway with a running lease (membership changes go to all of them). */
  liveGateways(): string[] {
    return [...this.leases.keys()].filter((g) => this.alive(g));
  }

  /** The rooms a gateway declared (alive or not). */
  roomsOf(gateway: string): string[] {
    return [...(this.byGateway.get(gateway) ?? [])];
  }

  /** Gateways whose lease lapsed `graceMs` ago or more: their records can be tombstoned. */
  expired(graceMs: number): string[] {
    const limit = this.now() - graceMs;
    return [...this.leases].filter(([, until]) => until <= limit).map(([g]) => g);
  }

  /** Drops a gateway and all its interest. */
  forget(gateway: string): void {
    this.leases.delete(gateway);
    this.direct.delete(gateway);
    for (const room of this.byGateway.get(gateway) ?? []) remove(this.byRoom, room, gateway);
    this.byGateway.delete(gateway);
  }
}

function add(map: Map<string, Set<string>>, key: string, value: string): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

function remove(map: Map<string, Set<string>>, key: string, value: string): void {
  const set = map.get(key);
  if (!set?.delete(value)) return;
  if (set.size === 0) map.delete(key);
}
