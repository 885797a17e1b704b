import { randomBytes } from "node:crypto";

/**
 * Returns a generator of globally unique event ids: a random per-generator
 * prefix (80 bits) plus a counter. Cheaper than a UUID per event, and two
 * processes collide only if their random prefixes do.
 */
export function createEventIdGenerator(): () => string {
  const prefix = randomBytes(10).toString("base64url");
  let counter = 0;
  return () => `${prefix}${(counter++).toString(36)}`;
}
