/**
 * HS256 tokens for tests against a server started with `--jwt-secret`,
 * minted with jose independently of the server's own minting code.
 */
import { SignJWT } from "jose";

/** A token for `user` with `caps` (default: everything), valid for ten minutes. */
export function mintTestToken(
  secret: string,
  user: string,
  caps: Record<string, string[]> = { "*": ["*"] },
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ caps })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + 600)
    .sign(new TextEncoder().encode(secret));
}
