import { createRemoteJWKSet, decodeProtectedHeader, importSPKI, jwtVerify, errors } from "jose";
import type { CryptoKey, JWTPayload, JWTVerifyGetKey } from "jose";
import { ParleyError, USER_ID_PATTERN } from "@parley/protocol";
import type { Authenticator, Credentials } from "./authenticator.js";
import { CAPABILITIES, type CapabilityMap, type Principal } from "./principal.js";

/** Key material and claim rules for JwtAuthenticator; at least one key source is required. */
export interface JwtAuthenticatorOptions {
  /** HS256 shared secret (its UTF-8 bytes are the key). */
  readonly secret?: string | undefined;
  /** PEM (SPKI) RS256 public key. */
  readonly publicKeyPem?: string | undefined;
  /** JWKS endpoint for RS256/ES256 keys. */
  readonly jwksUrl?: string | undefined;
  readonly issuer?: string | undefined;
  readonly audience?: string | undefined;
  /**
   * Longest accepted lifetime in seconds: a token must carry `exp`, at most
   * this long after its `iat` (or now, without `iat`). Undefined or 0: no limit, `exp` optional.
   */
  readonly maxLifetimeSeconds?: number | undefined;
}

// Issuers' clocks run ahead of ours by a little: a token minted for exactly the longest lifetime still passes.
const LIFETIME_SLACK_SECONDS = 60;

type KeyResolver = Uint8Array | CryptoKey | JWTVerifyGetKey;

/** One way to verify: the key and the only algorithms it may be used with. */
interface Verifier {
  readonly algorithms: readonly string[];
  readonly key: KeyResolver;
}

const USER_RE = new RegExp(USER_ID_PATTERN);

/**
 * Verifies JWTs with jose. The verifier is chosen by the token's `alg` header
 * and each key is pinned to its algorithms, so an HS256 token can never be
 * checked against an RSA public key (key confusion) and `none` never verifies.
 */
export class JwtAuthenticator implements Authenticator {
  private constructor(
    private readonly verifiers: readonly Verifier[],
    private readonly options: JwtAuthenticatorOptions,
  ) {}

  /** Builds an authenticator; imports the PEM key once. */
  static async create(options: JwtAuthenticatorOptions): Promise<JwtAuthenticator> {
    const verifiers: Verifier[] = [];
    if (options.secret) verifiers.push({ algorithms: ["HS256"], key: new TextEncoder().encode(options.secret) });
    if (options.publicKeyPem)
      verifiers.push({ algorithms: ["RS256"], key: await importSPKI(options.publicKeyPem, "RS256") });
    if (options.jwksUrl)
      verifiers.push({ algorithms: ["RS256", "ES256"], key: createRemoteJWKSet(new URL(options.jwksUrl)) });
    if (verifiers.length === 0) throw new Error("JwtAuthenticator needs a secret, a public key or a JWKS URL");
    return new JwtAuthenticator(verifiers, options);
  }

  /** Verifies the bearer token and returns its principal; rejects with ParleyError. */
  async authenticate(credentials: Credentials): Promise<Principal> {
    const token = credentials.token;
    if (!token) throw new ParleyError("UNAUTHORIZED", "a token is required");
    const verifier = this.verifierFor(token);
    const payload = await this.verify(token, verifier);
    this.checkLifetime(payload);
    return principalFromPayload(payload);
  }

  /**
   * A leaked token is usable until `exp`, so a token without one, or living
   * longer than the limit, is refused. Lifetime counts from `iat` (never
   * from later than now), so a year-long token is not accepted in its last day either.
   */
  private checkLifetime(payload: JWTPayload): void {
    const max = this.options.maxLifetimeSeconds;
    if (!max) return;
    if (typeof payload.exp !== "number") throw new ParleyError("UNAUTHORIZED", "token has no `exp`");
    const now = Date.now() / 1000;
    const from = typeof payload.iat === "number" ? Math.min(payload.iat, now) : now;
    if (payload.exp - from > max + LIFETIME_SLACK_SECONDS) {
      throw new ParleyError("UNAUTHORIZED", `token lifetime exceeds ${max} s (jwtMaxLifetimeHours)`);
    }
  }

  private verifierFor(token: string): Verifier {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch (err) {
      throw new ParleyError("UNAUTHORIZED", "malformed token", { cause: err });
    }
    const verifier = this.verifiers.find((v) => alg !== undefined && v.algorithms.includes(alg));
    if (!verifier) throw new ParleyError("UNAUTHORIZED", `token algorithm ${String(alg)} is not accepted`);
    return verifier;
  }

  private async verify(token: string, verifier: Verifier): Promise<JWTPayload> {
    const opts = {
      algorithms: [...verifier.algorithms],
      ...(this.options.issuer ? { issuer: this.options.issuer } : {}),
      ...(this.options.audience ? { audience: this.options.audience } : {}),
    };
    try {
      const { payload } = await jwtVerify(token, verifier.key as Uint8Array, opts);
      return payload;
    } catch (err) {
      throw mapJoseError(err);
    }
  }
}

/** Maps jose failures onto the catalogue: expiry is retryable (fetch a new token), key-set outages are transient. */
function mapJoseError(err: unknown): ParleyError {
  const cause = { cause: err };
  if (err instanceof errors.JWTExpired) return new ParleyError("TOKEN_EXPIRED", undefined, cause);
  // The claim's message ("\"aud\" claim check failed") tells the client what to fix.
  if (err instanceof errors.JWTClaimValidationFailed)
    return new ParleyError("UNAUTHORIZED", `token ${err.message}`, cause);
  if (err instanceof errors.JWKSTimeout) return new ParleyError("UNAVAILABLE", "JWKS endpoint timed out", cause);
  if (err instanceof errors.JOSEError) return new ParleyError("UNAUTHORIZED", "invalid token", cause);
  // Network or HTTP failures fetching the JWKS are not the client's fault.
  return new ParleyError("UNAVAILABLE", "could not fetch the JWKS", cause);
}

/** Builds a Principal from verified claims: `sub` is the user, `caps` the capability map (none when absent). */
export function principalFromPayload(payload: JWTPayload): Principal {
  const user = payload.sub;
  if (typeof user !== "string" || !USER_RE.test(user))
    throw new ParleyError("UNAUTHORIZED", "token `sub` is not a valid user id");
  return {
    user,
    caps: parseCaps(payload["caps"]),
    expiresAt: typeof payload.exp === "number" ? payload.exp * 1000 : undefined,
    dev: false,
  };
}

/** Validates a `caps` claim; absent means no capabilities, malformed rejects the token. */
export function parseCaps(raw: unknown): CapabilityMap {
  if (raw === undefined) return {};
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw badCaps();
  const allowed: readonly string[] = [...CAPABILITIES, "*"];
  for (const actions of Object.values(raw)) {
    if (!Array.isArray(actions) || !actions.every((a) => typeof a === "string" && allowed.includes(a))) throw badCaps();
  }
  return raw as CapabilityMap;
}

function badCaps(): ParleyError {
  return new ParleyError(
    "UNAUTHORIZED",
    'token `caps` must map room patterns to capability lists, e.g. {"room-*":["subscribe"]}',
  );
}
