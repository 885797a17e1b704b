import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWTPayload } from "jose";
import { ParleyError } from "@parley/protocol";
import { JwtAuthenticator } from "#server/auth/jwt-authenticator.js";
import { DevAuthenticator } from "#server/auth/dev-authenticator.js";

const SECRET = "test-secret-with-enough-entropy-0123456789";
const key = new TextEncoder().encode(SECRET);
const now = () => Math.floor(Date.now() / 1000);

function sign(
  claims: JWTPayload,
  alg = "HS256",
  signingKey: Uint8Array | CryptoKey = key,
  kid?: string,
): Promise<string> {
  return new SignJWT(claims).setProtectedHeader(kid ? { alg, kid } : { alg }).sign(signingKey);
}

async function rejects(auth: JwtAuthenticator, token: string, code: string): Promise<void> {
  await assert.rejects(auth.authenticate({ token }), (err: unknown) => err instanceof ParleyError && err.code === code);
}

function b64(obj: unknown): string {
  return Buffer.from(JSON.stringify(obj)).toString("base64url");
}

describe("JwtAuthenticator with an HS256 secret", () => {
  let auth: JwtAuthenticator;
  before(async () => {
    auth = await JwtAuthenticator.create({ secret: SECRET });
  });

  it("accepts a valid token and maps sub, caps and exp", async () => {
    const exp = now() + 60;
    const p = await auth.authenticate({ token: await sign({ sub: "alice", caps: { "team-*": ["subscribe"] }, exp }) });
    assert.deepEqual(p, { user: "alice", caps: { "team-*": ["subscribe"] }, expiresAt: exp * 1000, dev: false });
  });

  it("gives no capabilities when caps is absent", async () => {
    const p = await auth.authenticate({ token: await sign({ sub: "alice" }) });
    assert.deepEqual(p.caps, {});
  });

  it("rejects a forged signature", async () => {
    const forged = await sign(
      { sub: "alice" },
      "HS256",
      new TextEncoder().encode("another-secret-entirely-0123456789"),
    );
    await rejects(auth, forged, "UNAUTHORIZED");
  });

  it("rejects a tampered payload", async () => {
    const [h, , s] = (await sign({ sub: "alice" })).split(".");
    await rejects(auth, `${h}.${b64({ sub: "mallory" })}.${s}`, "UNAUTHORIZED");
  });

  it("rejects an expired token with TOKEN_EXPIRED", async () => {
    await rejects(auth, await sign({ sub: "alice", exp: now() - 120 }), "TOKEN_EXPIRED");
  });

  it("rejects a token not valid yet", async () => {
    await rejects(auth, await sign({ sub: "alice", nbf: now() + 3600 }), "UNAUTHORIZED");
  });

  it("rejects alg none", async () => {
    await rejects(auth, `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "alice" })}.`, "UNAUTHORIZED");
  });

  it("rejects garbage, a missing token and a missing sub", async () => {
    await rejects(auth, "not.a.jwt", "UNAUTHORIZED");
    await assert.rejects(auth.authenticate({}), { code: "UNAUTHORIZED" });
    await rejects(auth, await sign({ caps: {} }), "UNAUTHORIZED");
  });

  it("rejects an invalid user id or malformed caps", async () => {
    await rejects(auth, await sign({ sub: "has space" }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "alice", caps: { general: ["fly"] } }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "alice", caps: ["*"] }), "UNAUTHORIZED");
  });

  it("rejects an RS256 token when only a secret is configured", async () => {
    const { privateKey } = await generateKeyPair("RS256");
    await rejects(auth, await sign({ sub: "alice" }, "RS256", privateKey), "UNAUTHORIZED");
  });
});

describe("JwtAuthenticator lifetime limit", () => {
  const day = 86_400;
  let auth: JwtAuthenticator;
  before(async () => {
    auth = await JwtAuthenticator.create({ secret: SECRET, maxLifetimeSeconds: day });
  });

  it("accepts a token living up to the limit, from iat or from now", async () => {
    const t = now();
    assert.equal((await auth.authenticate({ token: await sign({ sub: "a", iat: t, exp: t + day }) })).user, "a");
    assert.equal((await auth.authenticate({ token: await sign({ sub: "a", exp: t + day }) })).user, "a");
    assert.equal((await auth.authenticate({ token: await sign({ sub: "a", iat: t - 600, exp: t + 60 }) })).user, "a");
  });

  it("refuses a token without exp", async () => {
    await rejects(auth, await sign({ sub: "alice" }), "UNAUTHORIZED");
  });

  it("refuses a token living longer, even in its last hours", async () => {
    const t = now();
    await rejects(auth, await sign({ sub: "alice", iat: t, exp: t + 7 * day }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "alice", exp: t + 2 * day }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "alice", iat: t - 364 * day, exp: t + 3600 }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "alice", iat: t + 7 * day, exp: t + 7 * day + 60 }), "UNAUTHORIZED");
  });

  it("without a limit, a token without exp is accepted", async () => {
    const open = await JwtAuthenticator.create({ secret: SECRET, maxLifetimeSeconds: 0 });
    assert.equal((await open.authenticate({ token: await sign({ sub: "alice" }) })).expiresAt, undefined);
  });
});

describe("JwtAuthenticator issuer and audience", () => {
  it("requires the configured iss and aud", async () => {
    const auth = await JwtAuthenticator.create({ secret: SECRET, issuer: "https://idp", audience: "parley" });
    assert.equal(
      (await auth.authenticate({ token: await sign({ sub: "a", iss: "https://idp", aud: "parley" }) })).user,
      "a",
    );
    await rejects(auth, await sign({ sub: "a", iss: "https://evil", aud: "parley" }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "a", iss: "https://idp", aud: "other" }), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "a" }), "UNAUTHORIZED");
  });
});

describe("JwtAuthenticator with an RS256 PEM key", () => {
  const pair = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = pair.publicKey.export({ type: "spki", format: "pem" }).toString();

  it("accepts tokens signed by the private key", async () => {
    const auth = await JwtAuthenticator.create({ publicKeyPem: pem });
    assert.equal(
      (await auth.authenticate({ token: await sign({ sub: "bob" }, "RS256", pair.privateKey as unknown as CryptoKey) }))
        .user,
      "bob",
    );
  });

  it("rejects tokens of another key and HS256 tokens signed with the public key (key confusion)", async () => {
    const auth = await JwtAuthenticator.create({ publicKeyPem: pem });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    await rejects(auth, await sign({ sub: "bob" }, "RS256", other as unknown as CryptoKey), "UNAUTHORIZED");
    await rejects(auth, await sign({ sub: "bob" }, "HS256", new TextEncoder().encode(pem)), "UNAUTHORIZED");
  });

  it("round-trips through exportSPKI as well", async () => {
    const { publicKey, privateKey } = await generateKeyPair("RS256");
    const auth = await JwtAuthenticator.create({ publicKeyPem: await exportSPKI(publicKey) });
    assert.equal((await auth.authenticate({ token: await sign({ sub: "carol" }, "RS256", privateKey) })).user, "carol");
  });
});

describe("JwtAuthenticator with a JWKS URL", () => {
  let server: Server;
  let url: string;
  let privateKey: CryptoKey;
  before(async () => {
    const pair = await generateKeyPair("RS256");
    privateKey = pair.privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: "k1", alg: "RS256", use: "sig" };
    server = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("accepts a token whose kid is in the key set", async () => {
    const auth = await JwtAuthenticator.create({ jwksUrl: url });
    assert.equal(
      (await auth.authenticate({ token: await sign({ sub: "dave" }, "RS256", privateKey, "k1") })).user,
      "dave",
    );
  });

  it("rejects a token signed by a key not in the set", async () => {
    const auth = await JwtAuthenticator.create({ jwksUrl: url });
    const stranger = (await generateKeyPair("RS256")).privateKey;
    await rejects(auth, await sign({ sub: "dave" }, "RS256", stranger, "k1"), "UNAUTHORIZED");
  });

  it("reports an unreachable JWKS as UNAVAILABLE (retryable), not as a bad token", async () => {
    const auth = await JwtAuthenticator.create({ jwksUrl: "http://127.0.0.1:1/jwks.json" });
    await rejects(auth, await sign({ sub: "dave" }, "RS256", privateKey, "k1"), "UNAVAILABLE");
  });
});

describe("DevAuthenticator", () => {
  it("accepts any valid user name with every capability", async () => {
    const p = await new DevAuthenticator().authenticate({ user: "zoe" });
    assert.deepEqual(p, { user: "zoe", caps: { "*": ["*"] }, expiresAt: undefined, dev: true });
  });

  it("rejects invalid names and missing credentials", async () => {
    await assert.rejects(new DevAuthenticator().authenticate({ user: "a b" }), { code: "UNAUTHORIZED" });
    await assert.rejects(new DevAuthenticator().authenticate({}), { code: "UNAUTHORIZED" });
  });

  it("verifies tokens through its fallback", async () => {
    const dev = new DevAuthenticator(await JwtAuthenticator.create({ secret: SECRET }));
    const p = await dev.authenticate({ token: await sign({ sub: "tok" }) });
    assert.equal(p.user, "tok");
    assert.equal(p.dev, false);
  });
});
