import { after, before } from "node:test";
import { mintToken } from "#server/auth/mint-token.js";
import type { CapabilityMap } from "#server/auth/principal.js";
import { restAs } from "./rest-as.js";
import { ServerProcess } from "./server-process.js";

/** A REST client of `restAs`. */
export type RestClient = ReturnType<typeof restAs>;

/**
 * Starts a server with `--jwt-secret secret` (no dev mode) and `args` before the enclosing suite and stops it after;
 * returns a function that mints a ten-minute token for `user` with `caps` and gives a REST client using it.
 */
export function tokenServer(
  secret: string,
  args: readonly string[] = [],
): (user: string, caps: CapabilityMap) => Promise<RestClient> {
  let server: ServerProcess | undefined;
  before(async () => {
    server = await ServerProcess.start({ dev: false, args: ["--jwt-secret", secret, ...args] });
  });
  after(() => server?.cleanup());
  return async (user, caps) =>
    restAs(server!.httpUrl, { token: await mintToken({ secret, user, caps, ttlSeconds: 600 }) });
}
