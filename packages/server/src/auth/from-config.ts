import { readFileSync } from "node:fs";
import type { ParleyConfig } from "../config/options.js";
import type { Logger } from "../logger.js";
import type { Authenticator } from "./authenticator.js";
import { DevAuthenticator } from "./dev-authenticator.js";
import { JwtAuthenticator } from "./jwt-authenticator.js";
import { ensureSecretFile, readSecretFile, secretFilePath } from "./secret-file.js";

/** RFC 7518 §3.2: an HS256 key must be at least as long as the hash, 256 bits. */
export const MIN_HS256_SECRET_BYTES = 32;

/**
 * The authenticator the configuration asks for. With no auth configured at
 * all, a secret is generated once in `<dataDir>/secret.key` so a fresh server
 * is secure by default yet usable (`parley token --data-dir …`).
 */
export async function authenticatorFromConfig(config: ParleyConfig, logger: Logger): Promise<Authenticator> {
  const configured = Boolean(config.jwtSecret || config.jwtPublicKey || config.jwksUrl);
  if (config.dev) {
    logger.warn("DEV MODE: anyone can connect as any user with every capability. Never run dev mode in production.");
    // Tokens still work in dev mode: the configured keys, else a secret.key left by an earlier non-dev start.
    const secret = config.jwtSecret ?? readSecretFile(config.dataDir);
    return new DevAuthenticator(configured || secret ? await jwtFromConfig(config, secret) : undefined);
  }
  if (config.jwtSecret !== undefined && Buffer.byteLength(config.jwtSecret) < MIN_HS256_SECRET_BYTES) {
    logger.warn(
      `jwtSecret is shorter than ${MIN_HS256_SECRET_BYTES} bytes: tokens signed with it can be forged by guessing it offline (RFC 7518 asks for 256 bits); use e.g. \`openssl rand -base64 32\``,
    );
  }
  if (configured) return jwtFromConfig(config, config.jwtSecret);
  const dataDir = config.dataDir;
  const { secret, created } = ensureSecretFile(dataDir);
  logger.info(
    { secretFile: secretFilePath(dataDir), created },
    `no auth configured: using the HS256 secret in ${secretFilePath(dataDir)}; mint tokens with \`parley token --user <name> --data-dir ${dataDir}\``,
  );
  return jwtFromConfig(config, secret);
}

async function jwtFromConfig(config: ParleyConfig, secret: string | undefined): Promise<JwtAuthenticator> {
  return JwtAuthenticator.create({
    secret,
    publicKeyPem: config.jwtPublicKey ? readFileSync(config.jwtPublicKey, "utf8") : undefined,
    jwksUrl: config.jwksUrl,
    issuer: config.jwtIssuer,
    audience: config.jwtAudience,
    maxLifetimeSeconds: config.jwtMaxLifetimeHours * 3600,
  });
}
