import type { Principal } from "./principal.js";

/** What a client presents: a token, or in dev mode just a user name. */
export interface Credentials {
  readonly token?: string | undefined;
  readonly user?: string | undefined;
}

/**
 * Turns credentials into a Principal.
 * Rejects with ParleyError("UNAUTHORIZED") for missing, malformed, forged or
 * not-yet-valid tokens, and ParleyError("TOKEN_EXPIRED") for expired ones.
 * Implementations: `jwt-authenticator.ts` (HS256 secret, RS256 key, JWKS) and
 * dev mode (any user name, every capability).
 */
export interface Authenticator {
  authenticate(credentials: Credentials): Promise<Principal>;
}
