import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Path of the generated HS256 secret inside a data directory. */
export function secretFilePath(dataDir: string): string {
  return join(dataDir, "secret.key");
}

/** Reads `<dataDir>/secret.key`, or undefined if it does not exist. */
export function readSecretFile(dataDir: string): string | undefined {
  try {
    return readFileSync(secretFilePath(dataDir), "utf8").trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
}

/**
 * Returns the data directory's HS256 secret, generating 32 random bytes
 * (base64url) on first use. `wx` makes creation atomic: two processes racing
 * on a fresh directory both end up with the winner's secret.
 */
export function ensureSecretFile(dataDir: string): { secret: string; created: boolean } {
  const existing = readSecretFile(dataDir);
  if (existing) return { secret: existing, created: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // owner-only, as openSqliteDb keeps it
  const secret = randomBytes(32).toString("base64url");
  try {
    writeFileSync(secretFilePath(dataDir), secret + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    // Another process created it first: use the winner's secret.
    const winner = readSecretFile(dataDir);
    if (winner === undefined) throw new Error(`${secretFilePath(dataDir)} vanished right after it was created`);
    return { secret: winner, created: false };
  }
  chmodSync(secretFilePath(dataDir), 0o600); // the umask may have widened nothing, but be explicit
  return { secret, created: true };
}
