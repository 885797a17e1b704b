import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { checkWebhookUrl, retryDelay, webhookRequest, webhookSignature } from "#server/notify/webhook-request.js";

describe("webhook requests", () => {
  it("signs t.<raw body> with HMAC-SHA256", () => {
    const mac = createHmac("sha256", "k").update('1700000000.{"a":1}').digest("hex");
    assert.equal(webhookSignature("k", 1_700_000_000, '{"a":1}'), `t=1700000000,v1=${mac}`);
  });

  it("sends the RoomEvent as JSON with the hook and event ids", () => {
    const event = { room: "r", seq: 4, id: "e4", from: "amy", ts: 1, kind: "message", body: { text: "x" }, cmid: "c" };
    const { body, headers } = webhookRequest({ id: "wh_1", secret: "k" }, event, 1_700_000_000_999);
    assert.deepEqual(JSON.parse(body), event);
    assert.equal(headers["parley-webhook-id"], "wh_1");
    assert.equal(headers["parley-event-id"], "e4");
    assert.equal(headers["parley-signature"], webhookSignature("k", 1_700_000_000, body));
  });

  it("accepts http(s) URLs on the allow-list only", () => {
    assert.equal(checkWebhookUrl("https://hooks.example.com/a", []), "https://hooks.example.com/a");
    const allow = ["hooks.example.com", "*.corp.example"];
    assert.equal(checkWebhookUrl("https://hooks.example.com/a", allow), "https://hooks.example.com/a");
    assert.equal(checkWebhookUrl("http://a.b.corp.example/", allow), "http://a.b.corp.example/");
    for (const bad of ["https://169.254.169.254/", "https://evilcorp.example/", "https://example.com/"]) {
      assert.throws(
        () => checkWebhookUrl(bad, allow),
        (e: unknown) => e instanceof ParleyError && /not in/.test(e.message),
      );
    }
    for (const bad of ["file:///etc/passwd", "gopher://x", "//x", 42, "https://u@x/"]) {
      assert.throws(
        () => checkWebhookUrl(bad, []),
        (e: unknown) => e instanceof ParleyError && e.code === "BAD_REQUEST",
      );
    }
  });

  it("backs off exponentially with full jitter, capped", () => {
    assert.equal(
      retryDelay(0, 100, 1000, () => 0.999),
      99,
    );
    assert.equal(
      retryDelay(3, 100, 1000, () => 0.5),
      400,
    );
    assert.equal(
      retryDelay(10, 100, 1000, () => 0.5),
      500,
    );
    assert.equal(
      retryDelay(99, 100, 1000, () => 0),
      0,
    );
  });
});
