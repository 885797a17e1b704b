import { CAPABILITIES } from "../auth/principal.js";
import { readSecretFile, secretFilePath } from "../auth/secret-file.js";
import { DEFAULT_TOKEN_CAPS, mintToken, parseCapsArg, parseTtl } from "../auth/mint-token.js";
import { ConfigError } from "../config/load-config.js";
import { parseCommandFlags } from "./command-flags.js";

/** Usage of `parley token`. */
export const TOKEN_HELP = `Usage: parley token --user <id> [options]

Prints an HS256 JWT for a Parley server.

  --user <id>            User id (the token's sub). Required.
  --caps <json>          Capability map, e.g. '{"room-*":["subscribe","publish"]}'.
                         Capabilities: ${CAPABILITIES.join(", ")}, * (docs/protocol.md).
                         Default: every room, every capability but delete_any
                         (moderation): ${JSON.stringify(DEFAULT_TOKEN_CAPS)}.
                         What was granted is printed to stderr.
  --ttl <duration>       Lifetime: 90s, 15m, 1h, 7d (default 1h). The server refuses
                         tokens living longer than its jwtMaxLifetimeHours (default 24).
  --data-dir <dir>       Use the secret the server generated in <dir>/secret.key
                         (default ./data; env PARLEY_DATA_DIR).
  --jwt-secret <secret>  Use this HS256 secret instead (env PARLEY_JWT_SECRET).
  --jwt-issuer <iss>     Set the iss claim (env PARLEY_JWT_ISSUER).
  --jwt-audience <aud>   Set the aud claim (env PARLEY_JWT_AUDIENCE).
`;

const FLAGS = ["user", "caps", "ttl", "data-dir", "jwt-secret", "jwt-issuer", "jwt-audience"] as const;

/** What `parley token` prints: the token (or help) on stdout, what it grants on stderr. */
export interface TokenOutput {
  readonly stdout: string;
  readonly stderr?: string;
}

/** `parley token`: the JWT text and what it grants, or the help text. Throws ConfigError on bad input. */
export async function tokenCommand(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<TokenOutput> {
  const f = parseCommandFlags(argv, FLAGS, "token");
  if (f.help) return { stdout: TOKEN_HELP };
  if (!f.user) throw new ConfigError("--user is required");
  const dataDir = f["data-dir"] ?? env.PARLEY_DATA_DIR ?? "./data";
  const secret = f["jwt-secret"] ?? env.PARLEY_JWT_SECRET ?? readSecretFile(dataDir);
  if (!secret) {
    throw new ConfigError(
      `no secret: pass --jwt-secret, or --data-dir of a server that generated ${secretFilePath(dataDir)}`,
    );
  }
  try {
    const caps = f.caps === undefined ? DEFAULT_TOKEN_CAPS : parseCapsArg(f.caps);
    const ttl = f.ttl ?? "1h";
    const token = await mintToken({
      secret,
      user: f.user,
      caps,
      ttlSeconds: parseTtl(ttl),
      issuer: f["jwt-issuer"] ?? env.PARLEY_JWT_ISSUER,
      audience: f["jwt-audience"] ?? env.PARLEY_JWT_AUDIENCE,
    });
    return { stdout: token, stderr: `parley token: ${f.user} for ${ttl}, caps ${JSON.stringify(caps)}` };
  } catch (err) {
    // The message is what the user must fix (a bad ttl, caps or user id); the cause keeps its origin.
    throw new ConfigError((err as Error).message, { cause: err });
  }
}
