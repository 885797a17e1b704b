/**
 * How many gateways want a room's events, and so the fraction f of all events a gateway must deliver: the
 * input the cost model needs when it is given rooms rather than a measured f (docs/cluster.md, "The cost model").
 */

/** Rooms of one size: how many, and each one's events per second. */
export interface RoomClass {
  members: number;
  rooms: number;
  eventsPerSecPerRoom: number;
}

/** Where a room's members sit. */
export interface Placement {
  gateways: number;
  /** Connections one gateway holds: a local room fills a gateway before it takes the next. */
  connectionsPerGateway: number;
  /** Share of rooms whose members are placed at random over all gateways (0: every room local, 1: all spread). */
  spread: number;
}

/**
 * Expected gateways a room of `members` touches when each member lands on one of `gateways` at random:
 * G(1-(1-1/G)^n). Computed through log1p so 10 million members over 1 000 gateways stays exact.
 */
export function gatewaysTouchedAtRandom(members: number, gateways: number): number {
  if (gateways <= 1) return members > 0 ? 1 : 0;
  return gateways * -Math.expm1(members * Math.log1p(-1 / gateways));
}

/** Gateways a room touches when its members are dealt to the gateways in turn (the routing bench's `spread`). */
export function gatewaysTouchedRoundRobin(members: number, gateways: number): number {
  return Math.max(0, Math.min(members, gateways));
}

/** Gateways a local room touches: as few as hold its members. */
export function gatewaysTouchedLocally(members: number, placement: Placement): number {
  if (members <= 0) return 0;
  return Math.min(placement.gateways, Math.ceil(members / Math.max(1, placement.connectionsPerGateway)));
}

/** Expected gateways a room touches under the placement's mix of local and spread rooms. */
export function gatewaysTouched(members: number, placement: Placement): number {
  const local = gatewaysTouchedLocally(members, placement);
  const random = gatewaysTouchedAtRandom(members, placement.gateways);
  return (1 - placement.spread) * local + placement.spread * random;
}

/**
 * The fraction of all events the average gateway must deliver: each room's events count once for every gateway
 * it touches, out of G gateways. Between 1/G (every room on one gateway) and 1 (every room everywhere).
 */
export function neededFraction(classes: readonly RoomClass[], placement: Placement): number {
  let events = 0;
  let wanted = 0;
  for (const c of classes) {
    const rate = c.rooms * c.eventsPerSecPerRoom;
    events += rate;
    wanted += rate * gatewaysTouched(c.members, placement);
  }
  return events === 0 ? 0 : wanted / events / Math.max(1, placement.gateways);
}
