/** Server keys for tests: a keys file in a temp dir, and server-API calls made with a key. */
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newServerKey, type ServerKeyEntry, type ServerKeyScope } from "#server/auth/server-keys.js";
import type { RestReply } from "./rest-as.js";

/** A keys file the test owns: make keys, write the file (atomically), remove it at the end. */
export class KeysFile {
  readonly dir = mkdtempSync(join(tmpdir(), "parley-keys-"));
  readonly path = join(this.dir, "keys.json");

  /** Writes a file holding `keys` (a temp file renamed over it, as `parley server-key --file` does). */
  write(keys: readonly ServerKeyEntry[]): void {
    writeFileSync(`${this.path}.tmp`, JSON.stringify({ keys }));
    renameSync(`${this.path}.tmp`, this.path);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A new key: its credential and its file entry. */
export function testKey(id: string, scopes: readonly ServerKeyScope[] = ["api"]) {
  return newServerKey(id, scopes);
}

/** Server-API calls against `baseUrl` with `credential` (`<id>.<secret>`; undefined sends no Authorization). */
export function serverApi(baseUrl: string, credential: string | undefined) {
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<RestReply<T>> => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        "content-type": "application/json",
        ...(credential !== undefined && { authorization: `Bearer ${credential}` }),
      },
      ...(body !== undefined && { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T };
  };
}
