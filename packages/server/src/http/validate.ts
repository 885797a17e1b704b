import { CMID_PATTERN, KIND_PATTERN, ParleyError, ROOM_ID_PATTERN, USER_ID_PATTERN } from "@parley/protocol";

const PATTERNS = {
  room: new RegExp(ROOM_ID_PATTERN),
  user: new RegExp(USER_ID_PATTERN),
  cmid: new RegExp(CMID_PATTERN),
  kind: new RegExp(KIND_PATTERN),
} as const;

/** Returns `value` when it is a string matching the id pattern of `what`; else throws BAD_REQUEST naming the field. */
export function requireId(what: keyof typeof PATTERNS, value: unknown, field: string = what): string {
  if (typeof value !== "string" || !PATTERNS[what].test(value)) {
    throw new ParleyError("BAD_REQUEST", `\`${field}\` must match ${PATTERNS[what].source}`);
  }
  return value;
}

/** Parses an optional non-negative integer query parameter. */
export function queryInt(url: URL, name: string): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === "") return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new ParleyError("BAD_REQUEST", `\`${name}\` must be a non-negative integer`);
  return Number(raw);
}

/**
 * Parses the optional `limit` query parameter: an integer in 1..`max`, else
 * BAD_REQUEST (never clamped, as the WebSocket frames answer BAD_FRAME), or
 * `fallback` when absent.
 */
export function queryLimit(url: URL, max: number, fallback: number): number {
  const raw = url.searchParams.get("limit");
  if (raw === null) return Math.min(fallback, max);
  if (!/^[1-9]\d{0,15}$/.test(raw) || Number(raw) > max) {
    throw new ParleyError("BAD_REQUEST", `\`limit\` must be an integer in 1..${max}`);
  }
  return Number(raw);
}

/** Returns a non-empty string of at most `max` characters, or throws BAD_REQUEST. */
export function requireText(value: unknown, field: string, max: number): string {
  if (typeof value !== "string" || value.length === 0 || value.length > max) {
    throw new ParleyError("BAD_REQUEST", `\`${field}\` must be a string of 1–${max} characters`);
  }
  return value;
}
