import assert from "node:assert/strict";
import { createECDH, randomBytes } from "node:crypto";
import { describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { parsePushSubscription } from "#server/notify/push-subscription.js";

function browserKeys(): { p256dh: string; auth: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { p256dh: ecdh.getPublicKey().toString("base64url"), auth: randomBytes(16).toString("base64url") };
}

function refusal(input: Record<string, unknown>): string {
  try {
    parsePushSubscription(input);
  } catch (err) {
    assert.ok(err instanceof ParleyError);
    assert.equal(err.code, "BAD_REQUEST");
    return err.message;
  }
  assert.fail(`accepted ${JSON.stringify(input)}`);
}

describe("parsePushSubscription", () => {
  const endpoint = "https://push.example/send/abc";

  it("accepts a browser's subscription and keeps its keys", () => {
    const keys = browserKeys();
    assert.deepEqual(parsePushSubscription({ endpoint, expirationTime: null, keys }), { endpoint, ...keys });
  });

  it("refuses a 65-byte key that is not a point on P-256, which no push could be encrypted for", () => {
    const offCurve = Buffer.alloc(65, 1);
    offCurve[0] = 0x04;
    const keys = { ...browserKeys(), p256dh: offCurve.toString("base64url") };
    assert.match(refusal({ endpoint, keys }), /keys\.p256dh.*P-256 point/);
  });

  it("refuses a compressed point and wrong lengths", () => {
    const ecdh = createECDH("prime256v1");
    ecdh.generateKeys();
    const compressed = ecdh.getPublicKey(undefined, "compressed").toString("base64url");
    assert.match(refusal({ endpoint, keys: { ...browserKeys(), p256dh: compressed } }), /keys\.p256dh/);
    assert.match(refusal({ endpoint, keys: { ...browserKeys(), auth: "AAAA" } }), /keys\.auth/);
  });
});
