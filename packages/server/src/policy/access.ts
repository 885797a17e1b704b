import { dmUsers, isDmId, type ErrorCode } from "@parley/protocol";
import type { Store } from "../store/store.js";
import type { Capability, CapabilityMap, Principal } from "../auth/principal.js";

/** True when `pattern` (with `*` wildcards) matches the whole room id. */
export function roomMatches(pattern: string, room: string): boolean {
  if (!pattern.includes("*")) return pattern === room;
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${escaped.join(".*")}$`).test(room);
}

/** Whether the token's capability map allows `action` on `room`. */
export function capsAllow(caps: CapabilityMap, room: string, action: Capability): boolean {
  for (const [pattern, allowed] of Object.entries(caps)) {
    if ((allowed.includes("*") || allowed.includes(action)) && roomMatches(pattern, room)) return true;
  }
  return false;
}

/**
 * Decides whether `principal` may perform `action` on `room`; undefined means yes.
 * Both the token's capabilities and the room's own rules must allow it:
 * a DM admits only its two users, a private room only its members, and a
 * public (or not yet created, hence implicitly public) room anyone.
 */
export async function authorize(
  principal: Principal,
  room: string,
  action: Capability,
  store: Store,
): Promise<ErrorCode | undefined> {
  if (!capsAllow(principal.caps, room, action)) return "FORBIDDEN";
  return (await roomAdmits(room, principal.user, store)) ? undefined : "FORBIDDEN";
}

/**
 * The room's own rule alone, without a token: a DM admits its two users, a
 * private room its members, any other room everyone; a `dm:` id that is not a
 * canonical DM id admits nobody. The notifier uses it for
 * users who are offline (so there is no token to check).
 */
export async function roomAdmits(room: string, user: string, store: Store): Promise<boolean> {
  const dm = dmUsers(room);
  if (dm) return dm.includes(user);
  // Only the canonical id (`dm:<a>:<b>`, a < b) is a DM: `dm:bob:amy` would be a second DM of the
  // same pair, and `dm:x` an open room that looks like a DM, so other ids in the namespace admit nobody.
  if (isDmId(room)) return false;
  const stored = await store.getRoom(room);
  return stored?.type !== "private" || (await store.isMember(room, user));
}
