/**
 * Web Push end to end: a real server process pushes to a local push service
 * (test-support/push-service.ts) that verifies VAPID and decrypts the
 * `aes128gcm` body itself, as a browser and its push service would.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { LocalPushService, type BrowserSubscription } from "../support/push-service.js";
import { RawClient } from "../support/raw-client.js";
import { restAs } from "../support/rest-as.js";
import { ServerProcess } from "../support/server-process.js";
import { subscribe, uniqueRoom } from "../support/fixtures.js";

describe("Web Push", () => {
  let service: LocalPushService;
  let server: ServerProcess;
  let vapidKey: string;
  const as = (user: string) => restAs(server.httpUrl, user);

  before(async () => {
    service = await LocalPushService.start();
    server = await ServerProcess.start({
      // The local push service is on 127.0.0.1, which push may reach only when allowed.
      args: ["--outbound-allowed-networks", "127.0.0.1"],
      env: { NODE_EXTRA_CA_CERTS: service.caFile },
    });
    const reply = await as("anyone").call<{ publicKey: string }>("GET", "/v1/push/vapid-public-key");
    assert.equal(reply.status, 200);
    vapidKey = reply.body.publicKey;
  });
  after(async () => {
    await server?.cleanup();
    await service?.stop();
  });

  /** A new browser subscription of `user`, registered over REST. */
  async function subscribed(user: string): Promise<BrowserSubscription> {
    const sub = service.subscribe();
    const reply = await as(user).call("POST", "/v1/push/subscriptions", {
      endpoint: sub.endpoint,
      expirationTime: null,
      keys: sub.keys,
    });
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    return sub;
  }

  /** A DM to a marker user, whose push proves every earlier event was handled (the notifier works in order). */
  async function barrier(): Promise<void> {
    const marker = `mk${Math.random().toString(36).slice(2, 8)}`;
    const sub = await subscribed(marker);
    const seq = await as("zed").publish(`dm:${marker}:zed`, { text: "barrier" });
    await service.next((p) => p.subscription === sub.id && (p.payload as { seq: number }).seq === seq);
  }

  it("serves a stable P-256 VAPID key and refuses malformed subscriptions with 400", async () => {
    assert.equal(Buffer.from(vapidKey, "base64url").length, 65);
    const sub = service.subscribe();
    const bad = [
      { ...sub, endpoint: sub.endpoint.replace("https:", "http:") },
      { ...sub, endpoint: "not a url" },
      { ...sub, keys: { ...sub.keys, p256dh: Buffer.alloc(65, 4).toString("base64url").slice(2) } },
      { ...sub, keys: { ...sub.keys, p256dh: Buffer.alloc(65, 4).toString("base64url") } }, // 65 bytes, off the curve
      { ...sub, keys: { ...sub.keys, auth: Buffer.alloc(8).toString("base64url") } },
      { endpoint: sub.endpoint },
    ];
    for (const body of bad) {
      const reply = await as("amy").call<{ error: { code: string } }>("POST", "/v1/push/subscriptions", body);
      assert.equal(reply.status, 400, JSON.stringify(body));
      assert.equal(reply.body.error.code, "BAD_REQUEST");
    }
    const anonymous = await fetch(`${server.httpUrl}/v1/push/subscriptions`, { method: "POST", body: "{}" });
    assert.equal(anonymous.status, 401);
  });

  it("pushes a DM to the offline peer, encrypted for its keys and signed with the server's VAPID key", async () => {
    const bob = await subscribed("bob");
    const room = "dm:amy:bob";
    const seq = await as("amy").publish(room, { text: "hi bob, long time" });
    const push = await service.next((p) => p.subscription === bob.id);
    assert.deepEqual(push.payload, { room, seq, from: "amy", text: "hi bob, long time", kind: "dm" });
    assert.equal(push.vapid.key, vapidKey);
    assert.equal(push.vapid.aud, service.origin);
    assert.ok(Number(push.ttl) > 0);
  });

  it("pushes mentions to readers who are away; not to a present one, the sender, or a non-member", async (t) => {
    const room = uniqueRoom("push-team");
    const [bob, cy, amy, dan] = [
      await subscribed("bob"),
      await subscribed("cy"),
      await subscribed("amy"),
      await subscribed("dan"),
    ];
    const present = await RawClient.connect(server.wsUrl, { user: "cy" });
    t.after(() => present.terminate());
    await subscribe(present, room);
    const long = "x".repeat(3000);
    const seq = await as("amy").publish(room, { text: `@bob @cy @amy look ${long}` });
    const secret = uniqueRoom("push-secret");
    assert.equal((await as("amy").call("POST", "/v1/rooms", { id: secret, type: "private", name: "s" })).status, 201);
    await as("amy").publish(secret, { text: "@dan you cannot read this" });
    await barrier();
    const got = await service.next((p) => p.subscription === bob.id && (p.payload as { room: string }).room === room);
    const payload = got.payload as { seq: number; kind: string; text: string };
    assert.equal(payload.seq, seq);
    assert.equal(payload.kind, "mention");
    assert.equal(payload.text.length, 500);
    for (const sub of [cy, amy, dan]) assert.equal(service.hits.get(sub.id) ?? 0, 0);
    assert.deepEqual(service.rejected, []);
  });

  it("removes a subscription the push service answers 410 for, and keeps the user's others", async () => {
    const [gone, kept] = [await subscribed("erin"), await subscribed("erin")];
    service.expire(gone.id);
    await as("amy").publish("dm:amy:erin", { text: "one" });
    await barrier();
    assert.equal(service.hits.get(gone.id), 1);
    await as("amy").publish("dm:amy:erin", { text: "two" });
    await barrier();
    assert.equal(service.hits.get(gone.id), 1);
    const texts = service.received
      .filter((p) => p.subscription === kept.id)
      .map((p) => (p.payload as { text: string }).text);
    assert.deepEqual(texts, ["one", "two"]);
    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    assert.match(metrics, /parley_pushes_total\{outcome="gone"\} 1\n/);
    assert.match(metrics, /parley_pushes_total\{outcome="sent"\} \d+/);
  });

  it("deletes a subscription over REST: no more pushes to it", async () => {
    const sub = await subscribed("fay");
    const del = await as("fay").call("DELETE", "/v1/push/subscriptions", { endpoint: sub.endpoint });
    assert.deepEqual(del, { status: 200, body: { endpoint: sub.endpoint, deleted: true } });
    await as("amy").publish("dm:amy:fay", { text: "anyone there?" });
    await barrier();
    assert.equal(service.hits.get(sub.id) ?? 0, 0);
  });
});
