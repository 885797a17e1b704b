import { ParleyError, dmUsers, isDmId, type ErrorCode } from "@parley/protocol";
import type { Store } from "../store/store.js";
import type { Capability, CapabilityMap, Principal } from "../auth/principal.js";

/**
 * Wildcard patterns compiled once: a token's few patterns are matched on every publish and every
 * delivery to an inbox, and compiling one cost ~1 µs each time (docs/performance.md, "Changes, one at
 * a time", 7). Bounded: past the limit it starts over (tokens' patterns are few; any pattern is fine).
 */
const compiled = new Map<string, RegExp>();
const COMPILED_MAX = 1_024;

function patternRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (re) return re;
  const escaped = pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  // No `g` or `y` flag: test() keeps no state between calls, so one RegExp serves every caller.
  re = new RegExp(`^${escaped.join(".*")}$`);
  if (compiled.size >= COMPILED_MAX) compiled.clear();
  compiled.set(pattern, re);
  return re;
}

/** True when `pattern` (with `*` wildcards) matches the whole room id. */
export function roomMatches(pattern: string, room: string): boolean {
  if (!pattern.includes("*")) return pattern === room;
  return patternRegExp(pattern).test(room);
}

/** Whether the token's capability map allows `action` on `room`. */
export function capsAllow(caps: CapabilityMap, room: string, action: Capability): boolean {
  for (const [pattern, allowed] of Object.entries(caps)) {
    if ((allowed.includes("*") || allowed.includes(action)) && roomMatches(pattern, room)) return true;
  }
  return false;
}

/** What the room rules read: a room's type and a user's membership (cached by room-rule-cache.ts). */
export type RoomRuleSource = Pick<Store, "getRoom" | "isMember">;

/**
 * The room's own rule alone, without a token: a DM admits its two users, a
 * private room its members, a deleted room nobody, any other room everyone; a
 * `dm:` id that is not a canonical DM id admits nobody.
 */
export async function roomAdmits(room: string, user: string, rules: RoomRuleSource): Promise<boolean> {
  const dm = dmUsers(room);
  if (dm) return dm.includes(user);
  // Only the canonical id (`dm:<a>:<b>`, a < b) is a DM: `dm:bob:amy` would be a second DM of the
  // same pair, and `dm:x` an open room that looks like a DM, so other ids in the namespace admit nobody.
  if (isDmId(room)) return false;
  const stored = await rules.getRoom(room);
  if (stored?.type === "deleted") return false;
  return stored?.type !== "private" || (await rules.isMember(room, user));
}

/**
 * Room access for every transport, built once at composition over the node's
 * (cached) store: callers name the principal, the room and the action, never
 * the store. Both the token's capabilities and the room's own rule must allow
 * an action: a DM admits only its two users, a private room only its members,
 * and a public (or not yet created, hence implicitly public) room anyone.
 */
export class RoomAccess {
  constructor(private readonly rules: RoomRuleSource) {}

  /** Why `principal` may not perform `action` on `room` (FORBIDDEN), or undefined when it may. */
  async refusal(principal: Principal, room: string, action: Capability): Promise<ErrorCode | undefined> {
    if (!capsAllow(principal.caps, room, action)) return "FORBIDDEN";
    return (await this.admits(room, principal.user)) ? undefined : "FORBIDDEN";
  }

  /** Throws FORBIDDEN with `message` unless `principal` may perform `action` on `room`. */
  async require(principal: Principal, room: string, action: Capability, message: string): Promise<void> {
    const code = await this.refusal(principal, room, action);
    if (code) throw new ParleyError(code, message);
  }

  /**
   * Throws FORBIDDEN unless `principal` may manage `room`'s webhooks. A hook receives every event
   * of the room, so its manager must be able to read the room (`history` and the room's rule) and
   * be its creator or hold `delete_any` on it (the moderator capability; an implicit public room
   * has no creator).
   */
  async requireHookManager(principal: Principal, room: string): Promise<void> {
    await this.require(principal, room, "history", `you may not read ${room}`);
    if (capsAllow(principal.caps, room, "delete_any")) return;
    if ((await this.rules.getRoom(room))?.createdBy === principal.user) return;
    throw new ParleyError("FORBIDDEN", `only the creator of ${room} or a user with delete_any may manage its webhooks`);
  }

  /** The room's own rule for `user` (the notifier asks it for users who are offline: no token to check). */
  admits(room: string, user: string): Promise<boolean> {
    return roomAdmits(room, user, this.rules);
  }
}
