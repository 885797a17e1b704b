import { ParleyError, USER_ID_PATTERN } from "@parley/protocol";
import type { Authenticator, Credentials } from "./authenticator.js";
import type { Principal } from "./principal.js";

const USER_RE = new RegExp(USER_ID_PATTERN);

/**
 * Dev mode: anyone is whoever they say, with every capability. A token, when
 * given and a fallback authenticator is configured, is still verified, so
 * clients built for production also work against a dev server.
 */
export class DevAuthenticator implements Authenticator {
  constructor(private readonly fallback?: Authenticator) {}

  /** Accepts any valid user name; never use in production. */
  async authenticate(credentials: Credentials): Promise<Principal> {
    if (credentials.user !== undefined) {
      if (!USER_RE.test(credentials.user)) throw new ParleyError("UNAUTHORIZED", "not a valid user name");
      return { user: credentials.user, caps: { "*": ["*"] }, expiresAt: undefined, dev: true };
    }
    if (credentials.token && this.fallback) return this.fallback.authenticate(credentials);
    throw new ParleyError("UNAUTHORIZED", "dev mode: a user name is required");
  }
}
