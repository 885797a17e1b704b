/**
 * Server keys: the credential of backends (the server API, the admin
 * dashboard), separate from user tokens. The operator names a JSON file
 * (`serverKeysFile`, docs/server-api.md) holding only the SHA-256 of each
 * secret; a request presents `Authorization: Bearer <id>.<secret>`. The file
 * is re-read whenever it changes (checked on every request, one `stat`), so
 * keys rotate without a restart: add the new key, deploy it, remove the old.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { readFileSync, statSync, type BigIntStats } from "node:fs";
import type { IncomingMessage } from "node:http";
import { ParleyError } from "@parley/protocol";
import type { Logger } from "../logger.js";

/** What a key may do: `api` the server API (/v1/server/…), `admin` the admin dashboard. */
export type ServerKeyScope = "api" | "admin";
export const SERVER_KEY_SCOPES: readonly ServerKeyScope[] = ["api", "admin"];

/** A key id: what logs and the file name a key by (never secret). */
export const SERVER_KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** One entry of the keys file. */
export interface ServerKeyEntry {
  readonly id: string;
  /** Hex SHA-256 of the secret. */
  readonly sha256: string;
  readonly scopes: readonly ServerKeyScope[];
}

/** The backend a request was authenticated as: the key's id and scopes. */
export interface ServerCaller {
  readonly keyId: string;
  readonly scopes: readonly ServerKeyScope[];
}

interface LoadedKey {
  readonly hash: Buffer;
  readonly scopes: readonly ServerKeyScope[];
}

/** The configured server keys, re-read when their file changes. */
export class ServerKeys {
  private keys = new Map<string, LoadedKey>();
  private version = "";

  /**
   * Reads `file` at once (a missing or malformed file is a startup error, thrown as it is);
   * without a file the server API is off and every check answers SERVER_API_DISABLED.
   */
  constructor(
    private readonly file: string | undefined,
    private readonly logger: Logger,
  ) {
    if (file === undefined) return;
    this.version = fileVersion(file) ?? "";
    this.keys = parseKeysFile(readFileSync(file, "utf8"), file);
  }

  /** Whether a keys file is configured. */
  get enabled(): boolean {
    return this.file !== undefined;
  }

  /**
   * Authenticates `req` as a backend holding `scope`: SERVER_API_DISABLED without a keys file,
   * UNAUTHORIZED for a missing, malformed or unknown key, FORBIDDEN for a key without the scope.
   */
  authorize(req: IncomingMessage, scope: ServerKeyScope): ServerCaller {
    if (!this.enabled) throw new ParleyError("SERVER_API_DISABLED");
    const credential = /^Bearer\s+([A-Za-z0-9_-]{1,64})\.([A-Za-z0-9_-]{1,200})$/i.exec(
      req.headers.authorization ?? "",
    );
    if (!credential) throw new ParleyError("UNAUTHORIZED", "send `Authorization: Bearer <key id>.<secret>`");
    const [, id = "", secret = ""] = credential;
    const key = this.current().get(id);
    // Hash and compare even for an unknown id, so the answer takes as long either way.
    const presented = sha256(secret);
    const matches = timingSafeEqual(presented, key?.hash ?? UNKNOWN_KEY);
    if (!key || !matches) throw new ParleyError("UNAUTHORIZED", "unknown server key");
    if (!key.scopes.includes(scope)) throw new ParleyError("FORBIDDEN", `server key ${id} lacks the ${scope} scope`);
    return { keyId: id, scopes: key.scopes };
  }

  /** The keys as the file holds them now: re-read when its inode, size or mtime changed. */
  private current(): Map<string, LoadedKey> {
    const file = this.file;
    if (file === undefined) return this.keys;
    const version = fileVersion(file);
    if (version === this.version) return this.keys;
    this.version = version ?? "";
    if (version === undefined) {
      // Removing the file revokes every key: failing closed is the safe reading of "no keys".
      this.logger.error({ file }, "server keys file is gone: every server key is refused");
      this.keys = new Map();
      return this.keys;
    }
    try {
      this.keys = parseKeysFile(readFileSync(file, "utf8"), file);
      this.logger.info({ file, keys: [...this.keys.keys()] }, "server keys reloaded");
    } catch (err) {
      // A half-written file (an editor saving in place) must not lock every backend out: keep the last good keys.
      this.logger.error({ err, file }, "server keys file is invalid: keeping the keys read before");
    }
    return this.keys;
  }
}

const UNKNOWN_KEY = Buffer.alloc(32);

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

/** Identifies one content of the file (inode, size, mtime in ns), or undefined when it does not exist. */
function fileVersion(file: string): string | undefined {
  let st: BigIntStats | undefined;
  try {
    st = statSync(file, { bigint: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return `${st.ino}:${st.size}:${st.mtimeNs}`;
}

/** Parses and checks a keys file; throws an Error naming the file and the first problem. */
function parseKeysFile(text: string, file: string): Map<string, LoadedKey> {
  const fail = (why: string): never => {
    throw new Error(`server keys file ${file}: ${why} (docs/server-api.md)`);
  };
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    fail("not valid JSON");
  }
  const entries = (doc as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(entries)) return fail('expected {"keys": [...]}');
  const keys = new Map<string, LoadedKey>();
  for (const entry of entries as unknown[]) {
    const { id, sha256: hex, scopes } = (entry ?? {}) as Record<string, unknown>;
    if (typeof id !== "string" || !SERVER_KEY_ID_PATTERN.test(id))
      fail(`key id ${String(id)} must match ${SERVER_KEY_ID_PATTERN.source}`);
    if (keys.has(id as string)) fail(`key id ${String(id)} appears twice`);
    if (typeof hex !== "string" || !/^[0-9a-f]{64}$/i.test(hex))
      fail(`key ${String(id)}: sha256 must be 64 hex digits`);
    keys.set(id as string, { hash: Buffer.from(hex as string, "hex"), scopes: parseScopes(scopes, fail) });
  }
  return keys;
}

function parseScopes(value: unknown, fail: (why: string) => never): ServerKeyScope[] {
  const known = (s: unknown): s is ServerKeyScope => SERVER_KEY_SCOPES.includes(s as ServerKeyScope);
  if (!Array.isArray(value) || value.length === 0 || !value.every(known))
    return fail(`scopes must be a non-empty list of ${SERVER_KEY_SCOPES.join(", ")}`);
  return value;
}

/** A new key: the credential a backend sends (`<id>.<secret>`, shown once) and the entry for the keys file. */
export function newServerKey(
  id: string,
  scopes: readonly ServerKeyScope[],
): { credential: string; entry: ServerKeyEntry } {
  const secret = randomBytes(32).toString("base64url");
  return { credential: `${id}.${secret}`, entry: { id, sha256: sha256(secret).toString("hex"), scopes } };
}
