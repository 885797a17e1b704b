/**
 * Which gateways get an events-topic record under redistributed routing:
 * an event goes to every live gateway that declared its room, a membership
 * change (docs/chat.md) to every live gateway (their room-rule caches and
 * inboxes follow every room's membership), and any record, duplicate markers
 * included, to the gateway whose append it answers (its request id names it).
 */
import { membershipOf } from "@parley/protocol";
import type { EventsRecord } from "../records.js";
import type { InterestTable } from "./interest-table.js";

/** The gateways `rec` goes to. */
export function routeOf(rec: EventsRecord, table: InterestTable): Set<string> {
  const out = new Set<string>();
  if (rec.type === "event") {
    for (const g of membershipOf(rec.event) ? table.liveGateways() : table.gatewaysFor(rec.event.room)) out.add(g);
  }
  const asker = gatewayOfRequest(rec.rid);
  if (asker && table.alive(asker)) out.add(asker);
  return out;
}

/** The gateway id in a request id `<gatewayId>:<n>` (KafkaLog.append), if any. */
export function gatewayOfRequest(rid: string): string | undefined {
  const at = rid.lastIndexOf(":");
  return at > 0 ? rid.slice(0, at) : undefined;
}
