import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { ParleyError, type ErrorCode } from "@parley/protocol";
import { ServerKeys, newServerKey, type ServerKeyEntry } from "#server/auth/server-keys.js";
import { silentLogger } from "#server/logger.js";

const dir = mkdtempSync(join(tmpdir(), "parley-keys-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const request = (credential?: string): IncomingMessage =>
  ({ headers: credential === undefined ? {} : { authorization: `Bearer ${credential}` } }) as IncomingMessage;

function writeKeys(file: string, entries: readonly ServerKeyEntry[]): void {
  // A temp file renamed over the old one would do too; writing in place is the harder case (same inode).
  writeFileSync(file, JSON.stringify({ keys: entries }));
}

function refusal(keys: ServerKeys, credential: string | undefined, scope: "api" | "admin" = "api"): ErrorCode {
  try {
    keys.authorize(request(credential), scope);
  } catch (err) {
    assert.ok(err instanceof ParleyError);
    return err.code;
  }
  assert.fail("the request was authorized");
}

describe("ServerKeys", () => {
  it("is off without a file: every check answers SERVER_API_DISABLED", () => {
    const keys = new ServerKeys(undefined, silentLogger());
    assert.equal(keys.enabled, false);
    assert.equal(refusal(keys, "a.b"), "SERVER_API_DISABLED");
  });

  it("accepts a listed key for its scopes only; refuses missing, malformed, unknown and wrong secrets", () => {
    const file = join(dir, "scopes.json");
    const api = newServerKey("billing-1", ["api"]);
    const admin = newServerKey("ops", ["api", "admin"]);
    writeKeys(file, [api.entry, admin.entry]);
    const keys = new ServerKeys(file, silentLogger());
    assert.deepEqual(keys.authorize(request(api.credential), "api"), { keyId: "billing-1", scopes: ["api"] });
    assert.equal(keys.authorize(request(admin.credential), "admin").keyId, "ops");
    assert.equal(refusal(keys, api.credential, "admin"), "FORBIDDEN");
    assert.equal(refusal(keys, undefined), "UNAUTHORIZED");
    assert.equal(refusal(keys, "no-dot"), "UNAUTHORIZED");
    assert.equal(refusal(keys, `nobody.${api.credential.split(".")[1]}`), "UNAUTHORIZED");
    assert.equal(refusal(keys, `billing-1.${admin.credential.split(".")[1]}`), "UNAUTHORIZED");
  });

  it("rotates without a restart: a key added to the file works at once, a removed one stops", () => {
    const file = join(dir, "rotate.json");
    const old = newServerKey("svc-1", ["api"]);
    const next = newServerKey("svc-2", ["api"]);
    writeKeys(file, [old.entry]);
    const keys = new ServerKeys(file, silentLogger());
    assert.equal(refusal(keys, next.credential), "UNAUTHORIZED");
    writeKeys(file, [old.entry, next.entry]);
    assert.equal(keys.authorize(request(next.credential), "api").keyId, "svc-2");
    assert.equal(keys.authorize(request(old.credential), "api").keyId, "svc-1");
    writeKeys(file, [next.entry]);
    assert.equal(refusal(keys, old.credential), "UNAUTHORIZED");
    assert.equal(keys.authorize(request(next.credential), "api").keyId, "svc-2");
  });

  it("keeps the last good keys over an invalid file, and refuses every key once the file is gone", () => {
    const file = join(dir, "broken.json");
    const key = newServerKey("svc", ["api"]);
    writeKeys(file, [key.entry]);
    const keys = new ServerKeys(file, silentLogger());
    writeFileSync(file, '{"keys": [');
    assert.equal(keys.authorize(request(key.credential), "api").keyId, "svc");
    unlinkSync(file);
    assert.equal(refusal(keys, key.credential), "UNAUTHORIZED");
  });

  it("refuses to start on a missing or malformed file, naming the problem", () => {
    assert.throws(() => new ServerKeys(join(dir, "absent.json"), silentLogger()), /ENOENT/);
    const file = join(dir, "bad.json");
    const cases: Array<[unknown, RegExp]> = [
      [{}, /expected \{"keys": \[...\]\}/],
      [{ keys: [{ id: "a b", sha256: "00".repeat(32), scopes: ["api"] }] }, /key id a b must match/],
      [{ keys: [{ id: "a", sha256: "xyz", scopes: ["api"] }] }, /sha256 must be 64 hex digits/],
      [{ keys: [{ id: "a", sha256: "00".repeat(32), scopes: ["root"] }] }, /scopes must be/],
      [
        {
          keys: [
            { id: "a", sha256: "00".repeat(32), scopes: ["api"] },
            { id: "a", sha256: "11".repeat(32), scopes: ["api"] },
          ],
        },
        /appears twice/,
      ],
    ];
    for (const [doc, message] of cases) {
      writeFileSync(file, JSON.stringify(doc));
      assert.throws(() => new ServerKeys(file, silentLogger()), message);
    }
  });
});
