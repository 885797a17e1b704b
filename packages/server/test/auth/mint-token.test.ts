import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { JwtAuthenticator } from "#server/auth/jwt-authenticator.js";
import { mintToken, parseCapsArg, parseTtl } from "#server/auth/mint-token.js";
import { ensureSecretFile, readSecretFile } from "#server/auth/secret-file.js";

describe("mintToken", () => {
  it("mints a token the authenticator accepts, with every capability but delete_any by default", async () => {
    const token = await mintToken({ secret: "s3cret-s3cret", user: "alice", ttlSeconds: 60 });
    const p = await (await JwtAuthenticator.create({ secret: "s3cret-s3cret" })).authenticate({ token });
    assert.equal(p.user, "alice");
    const userCaps = ["subscribe", "publish", "presence", "history", "edit", "delete", "react"];
    assert.deepEqual(p.caps, { "*": userCaps });
    assert.ok(p.expiresAt! > Date.now() && p.expiresAt! <= Date.now() + 61_000);
  });

  it("carries explicit caps, issuer and audience", async () => {
    const caps = parseCapsArg('{"room-*":["subscribe","publish"]}');
    const token = await mintToken({ secret: "k", user: "bob", caps, ttlSeconds: 60, issuer: "i", audience: "a" });
    const auth = await JwtAuthenticator.create({ secret: "k", issuer: "i", audience: "a" });
    assert.deepEqual((await auth.authenticate({ token })).caps, { "room-*": ["subscribe", "publish"] });
  });

  it("rejects bad users, caps and ttls", async () => {
    await assert.rejects(mintToken({ secret: "k", user: "no spaces", ttlSeconds: 60 }));
    assert.throws(() => parseCapsArg("{"), /invalid --caps/);
    assert.throws(() => parseCapsArg('{"a":["fly"]}'), /invalid --caps/);
    assert.throws(() => parseTtl("soon"), /invalid ttl/);
    assert.throws(() => parseTtl("0"), /positive/);
    assert.equal(parseTtl("90"), 90);
    assert.equal(parseTtl("15m"), 900);
    assert.equal(parseTtl("1h"), 3600);
    assert.equal(parseTtl("7d"), 604_800);
  });
});

describe("secret file", () => {
  it("is created once with mode 0600 and then reused", () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-secret-"));
    try {
      assert.equal(readSecretFile(dir), undefined);
      const first = ensureSecretFile(join(dir, "nested"));
      assert.equal(first.created, true);
      assert.ok(first.secret.length >= 40);
      assert.equal(statSync(join(dir, "nested", "secret.key")).mode & 0o777, 0o600);
      assert.deepEqual(ensureSecretFile(join(dir, "nested")), { secret: first.secret, created: false });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
