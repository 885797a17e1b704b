import { ECDH } from "node:crypto";
import { ParleyError } from "@parley/protocol";

/** The parts of a browser's `PushSubscription.toJSON()` the server keeps. */
export interface PushSubscriptionInput {
  readonly endpoint: string;
  readonly p256dh: string;
  readonly auth: string;
}

const MAX_ENDPOINT = 2048;

/**
 * Checks a PushSubscription JSON: an https endpoint (push services are HTTPS;
 * anything else would let a client point the server at internal plain-HTTP
 * services), a P-256 public key (65-byte uncompressed point on the curve: a key
 * that is not cannot encrypt, so every push to it would fail) and a 16-byte
 * auth secret, both base64url. Throws BAD_REQUEST naming the field.
 */
export function parsePushSubscription(input: Record<string, unknown>): PushSubscriptionInput {
  const endpoint = input.endpoint;
  if (typeof endpoint !== "string" || endpoint.length > MAX_ENDPOINT || !isHttpsUrl(endpoint)) {
    throw new ParleyError("BAD_REQUEST", `\`endpoint\` must be an https URL of at most ${MAX_ENDPOINT} characters`);
  }
  const keys = input.keys as Record<string, unknown> | undefined;
  if (typeof keys !== "object" || keys === null) throw new ParleyError("BAD_REQUEST", "`keys` must be an object");
  const p256dh = base64url(keys.p256dh, "keys.p256dh", 65);
  if (!isP256Point(Buffer.from(p256dh, "base64url"))) {
    throw new ParleyError("BAD_REQUEST", "`keys.p256dh` must be an uncompressed P-256 point");
  }
  return { endpoint, p256dh, auth: base64url(keys.auth, "keys.auth", 16) };
}

function isP256Point(key: Buffer): boolean {
  if (key[0] !== 0x04) return false;
  try {
    ECDH.convertKey(key, "prime256v1"); // decodes the point, which OpenSSL checks is on the curve
    return true;
  } catch {
    return false;
  }
}

function isHttpsUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && url.username === "" && url.password === "";
  } catch {
    return false;
  }
}

function base64url(value: unknown, field: string, bytes: number): string {
  if (typeof value !== "string" || !/^[A-Za-z0-9_-]+={0,2}$/.test(value)) {
    throw new ParleyError("BAD_REQUEST", `\`${field}\` must be base64url`);
  }
  const decoded = Buffer.from(value, "base64url");
  if (decoded.length !== bytes) throw new ParleyError("BAD_REQUEST", `\`${field}\` must encode ${bytes} bytes`);
  return decoded.toString("base64url"); // one canonical spelling (no padding)
}
