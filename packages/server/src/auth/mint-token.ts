import { SignJWT } from "jose";
import { ParleyError, USER_ID_PATTERN } from "@parley/protocol";
import { CAPABILITIES, type CapabilityMap } from "./principal.js";
import { parseCaps } from "./jwt-authenticator.js";

/** What `parley token` signs. */
export interface MintTokenOptions {
  readonly secret: string;
  readonly user: string;
  /** Defaults to DEFAULT_TOKEN_CAPS. */
  readonly caps?: CapabilityMap | undefined;
  readonly ttlSeconds: number;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
}

/**
 * What a token gets when no caps are asked for: every room, every user
 * action, but not `delete_any`, which makes its holder a moderator (deletes
 * anyone's messages, manages any room's webhooks). That needs `--caps`.
 */
export const DEFAULT_TOKEN_CAPS: CapabilityMap = { "*": CAPABILITIES.filter((c) => c !== "delete_any") };

/** Parses `90`, `90s`, `15m`, `1h`, `7d` into seconds; throws on anything else. */
export function parseTtl(text: string): number {
  const match = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!match) throw new Error(`invalid ttl ${JSON.stringify(text)} (use e.g. 90s, 15m, 1h, 7d)`);
  const unit = { "": 1, s: 1, m: 60, h: 3600, d: 86_400 }[match[2] as "" | "s" | "m" | "h" | "d"];
  const seconds = Number(match[1]) * unit;
  if (seconds <= 0) throw new Error("ttl must be positive");
  return seconds;
}

/** Parses and validates a `--caps` JSON argument. */
export function parseCapsArg(json: string): CapabilityMap {
  try {
    return parseCaps(JSON.parse(json));
  } catch (err) {
    const detail = err instanceof ParleyError ? err.message : "not valid JSON";
    throw new Error(`invalid --caps: ${detail}`, { cause: err });
  }
}

/** Signs an HS256 token for `user`. */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  if (!new RegExp(USER_ID_PATTERN).test(options.user))
    throw new Error(`invalid user id ${JSON.stringify(options.user)}`);
  let jwt = new SignJWT({ caps: options.caps ?? DEFAULT_TOKEN_CAPS })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.user)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + options.ttlSeconds);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
