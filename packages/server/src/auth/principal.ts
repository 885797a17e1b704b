/**
 * An action a capability can allow on a room. `*` allows all of them.
 * `edit` and `delete` cover the holder's own messages, `delete_any` anyone's
 * (moderation); see docs/chat.md for which event kind needs which.
 */
export type Capability = "subscribe" | "publish" | "presence" | "history" | "edit" | "delete" | "delete_any" | "react";
export const CAPABILITIES: readonly Capability[] = [
  "subscribe",
  "publish",
  "presence",
  "history",
  "edit",
  "delete",
  "delete_any",
  "react",
];

/**
 * Capabilities by room pattern, as carried in the token's `caps` claim:
 * `{ "general": ["*"], "team-*": ["subscribe", "history"] }`. A pattern is a
 * room id where `*` matches any run of characters.
 */
export type CapabilityMap = Readonly<Record<string, readonly (Capability | "*")[]>>;

/** Who is on the other end of a connection or REST call. */
export interface Principal {
  readonly user: string;
  readonly caps: CapabilityMap;
  /** Token expiry in ms since epoch; undefined for dev-mode principals. */
  readonly expiresAt: number | undefined;
  /** True when the principal came from dev mode (no token). */
  readonly dev: boolean;
}

/**
 * A backend acting as a named bot or system user (the server API, the Kafka
 * bridge): every capability on every room pattern. The room's own rules
 * (private rooms, publish rules) still apply to it as to anyone.
 */
export function servicePrincipal(user: string): Principal {
  return { user, caps: { "*": ["*"] }, expiresAt: undefined, dev: false };
}
