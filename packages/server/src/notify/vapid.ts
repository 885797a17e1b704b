import { createECDH } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ConfigError } from "../config/load-config.js";
import type { NotifyStore } from "./notify-store.js";

/** The server's VAPID identity (RFC 8292): what push services check a push's `Authorization` against. */
export interface VapidKeys {
  /** Uncompressed P-256 public key, base64url: what browsers pass to `pushManager.subscribe`. */
  readonly publicKey: string;
  readonly privateKey: string;
  /** `mailto:` or `https:` contact. */
  readonly subject: string;
}

/** The VAPID options of ParleyConfig. */
export interface VapidConfig {
  readonly dataDir: string;
  readonly vapidPublicKey: string | undefined;
  readonly vapidPrivateKey: string | undefined;
  readonly vapidSubject: string | undefined;
}

/** The subject when none is configured. */
export const DEFAULT_VAPID_SUBJECT = "mailto:parley@localhost";

/** Where an unconfigured key pair is kept: `<dataDir>/vapid.json` (one process) or the notify store (a cluster). */
export type VapidSource = { readonly kind: "file" } | { readonly kind: "store"; readonly store: NotifyStore };

/**
 * The configured key pair, or the kept one, generated on first start. Keys
 * must stay stable: browsers subscribed with the public key, and a new pair
 * makes every stored subscription useless. Cluster nodes have their own data
 * dirs, so there the pair lives in PostgreSQL, and every node agrees on it.
 */
export async function resolveVapid(config: VapidConfig, source: VapidSource): Promise<VapidKeys> {
  const subject = config.vapidSubject ?? DEFAULT_VAPID_SUBJECT;
  if (!/^(mailto:|https:)/.test(subject)) throw new ConfigError("--vapid-subject must be a mailto: or https: URL");
  if (config.vapidPublicKey || config.vapidPrivateKey) {
    if (!config.vapidPublicKey || !config.vapidPrivateKey) {
      throw new ConfigError("--vapid-public-key and --vapid-private-key must be set together");
    }
    return { publicKey: config.vapidPublicKey, privateKey: config.vapidPrivateKey, subject };
  }
  if (source.kind === "file") return { ...ensureVapidFile(config.dataDir), subject };
  const stored = await source.store.ensureSetting("vapid", JSON.stringify(generateVapidKeys()));
  return { ...parseKeys(stored, "the stored VAPID pair"), subject };
}

/**
 * A new P-256 pair in the form `web-push` reads (uncompressed public point, 32-byte private scalar, both
 * base64url); node:crypto directly, so a start does not load `web-push` (docs/performance.md, restart).
 */
function generateVapidKeys(): { publicKey: string; privateKey: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  const privateKey = ecdh.getPrivateKey();
  const padded = Buffer.concat([Buffer.alloc(32 - privateKey.length), privateKey]);
  return { publicKey: ecdh.getPublicKey().toString("base64url"), privateKey: padded.toString("base64url") };
}

function ensureVapidFile(dataDir: string): { publicKey: string; privateKey: string } {
  const file = join(dataDir, "vapid.json");
  const existing = readKeys(file);
  if (existing) return existing;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 }); // owner-only, as openSqliteDb keeps it
  const keys = generateVapidKeys();
  try {
    // `wx`: two processes racing on a fresh directory both end up with the winner's pair.
    writeFileSync(file, JSON.stringify(keys) + "\n", { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const winner = readKeys(file);
    if (!winner) throw new Error(`${file} vanished right after it was created`);
    return winner;
  }
  chmodSync(file, 0o600);
  return keys;
}

function readKeys(file: string): { publicKey: string; privateKey: string } | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return parseKeys(text, file);
}

function parseKeys(text: string, where: string): { publicKey: string; privateKey: string } {
  const keys = JSON.parse(text) as { publicKey?: unknown; privateKey?: unknown };
  if (typeof keys.publicKey !== "string" || typeof keys.privateKey !== "string") {
    throw new ConfigError(`${where} must hold {"publicKey", "privateKey"}`);
  }
  return { publicKey: keys.publicKey, privateKey: keys.privateKey };
}
