/**
 * The NotifyStore contract as one test suite, run on SQLite
 * (sqlite-notify-store.test.ts) and PostgreSQL (postgres-notify-store.test.ts).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  MAX_PUSH_SUBSCRIPTIONS_PER_USER,
  type NotifyStore,
  type PushSubscriptionRecord,
  type WebhookRecord,
} from "#server/notify/notify-store.js";

/** A store on fresh storage, with a way to reopen it on the same storage. */
export interface NotifyStoreFixture {
  readonly store: NotifyStore;
  /** Closes `store` and returns a new one on the same storage. */
  reopen(): Promise<NotifyStore>;
  dispose(): Promise<void>;
}

let counter = 0;
const unique = (what: string) => `${what}-${process.pid}-${++counter}`;

function sub(user: string, createdAt = Date.now()): PushSubscriptionRecord {
  return { user, endpoint: `https://push.example/${unique("ep")}`, p256dh: "BPk", auth: "au", createdAt };
}

function hook(room: string, createdAt = Date.now()): WebhookRecord {
  const id = unique("wh");
  return { id, room, url: "http://127.0.0.1:9/hook", secret: "s", createdBy: "amy", createdAt, deliveredSeq: 3 };
}

/** Registers the NotifyStore contract tests against `factory`. */
export function describeNotifyStoreContract(name: string, factory: () => Promise<NotifyStoreFixture>): void {
  describe(`NotifyStore contract: ${name}`, () => {
    let fx: NotifyStoreFixture;
    let store: NotifyStore;
    before(async () => {
      fx = await factory();
      store = fx.store;
    });
    after(() => fx.dispose());

    it("saves push subscriptions per user, upserting by user and endpoint", async () => {
      const amy = unique("amy");
      const a = sub(amy, 1);
      await store.savePushSubscription(a);
      await store.savePushSubscription({ ...a, p256dh: "BNew", createdAt: 2 });
      assert.deepEqual(await store.pushSubscriptionsOf(amy), [{ ...a, p256dh: "BNew", createdAt: 2 }]);
    });

    it("never lets another user who knows the endpoint take a subscription over", async () => {
      const [amy, mallory] = [unique("amy"), unique("mallory")];
      const a = sub(amy, 1);
      await store.savePushSubscription(a);
      await store.savePushSubscription({ ...a, user: mallory, p256dh: "BEvil", auth: "ev", createdAt: 2 });
      assert.deepEqual(await store.pushSubscriptionsOf(amy), [a]);
      assert.deepEqual(await store.pushSubscriptionsOf(mallory), [
        { ...a, user: mallory, p256dh: "BEvil", auth: "ev", createdAt: 2 },
      ]);
      assert.equal(await store.deletePushSubscription(mallory, a.endpoint), true);
      assert.deepEqual(await store.pushSubscriptionsOf(amy), [a]);
    });

    it("deletes a subscription only for its owner, and forgets an endpoint for anyone", async () => {
      const [amy, bob] = [unique("amy"), unique("bob")];
      const a = sub(amy);
      const b = sub(amy);
      await store.savePushSubscription(a);
      await store.savePushSubscription(b);
      assert.equal(await store.deletePushSubscription(bob, a.endpoint), false);
      assert.equal(await store.deletePushSubscription(amy, a.endpoint), true);
      assert.equal(await store.deletePushSubscription(amy, a.endpoint), false);
      await store.forgetPushEndpoint(b.endpoint);
      await store.forgetPushEndpoint(b.endpoint);
      assert.deepEqual(await store.pushSubscriptionsOf(amy), []);
    });

    it(`keeps the newest ${MAX_PUSH_SUBSCRIPTIONS_PER_USER} subscriptions of a user`, async () => {
      const amy = unique("amy");
      const subs = Array.from({ length: MAX_PUSH_SUBSCRIPTIONS_PER_USER + 2 }, (_, i) => sub(amy, 1000 + i));
      for (const s of subs) await store.savePushSubscription(s);
      const kept = await store.pushSubscriptionsOf(amy);
      assert.deepEqual(kept, subs.slice(2));
    });

    it("creates, lists and deletes webhooks per room", async () => {
      const [room, other] = [unique("room"), unique("room")];
      const h1 = hook(room, 1);
      const h2 = hook(room, 2);
      await store.createWebhook(h1, 10);
      await store.createWebhook(h2, 10);
      await store.createWebhook(hook(other, 3), 10);
      assert.deepEqual(await store.listWebhooks(room), [h1, h2]);
      assert.deepEqual(await store.getWebhook(h2.id), h2);
      assert.equal(await store.deleteWebhook(other, h1.id), false);
      assert.equal(await store.deleteWebhook(room, h1.id), true);
      assert.equal(await store.getWebhook(h1.id), undefined);
      const all = (await store.allWebhooks()).map((h) => h.id);
      assert.ok(all.includes(h2.id) && !all.includes(h1.id));
    });

    it("never lets concurrent creates exceed the per-room limit", async () => {
      const [room, other] = [unique("room"), unique("room")];
      const created = await Promise.all(Array.from({ length: 16 }, (_, i) => store.createWebhook(hook(room, i), 10)));
      assert.equal(created.filter(Boolean).length, 10);
      assert.equal((await store.listWebhooks(room)).length, 10);
      assert.equal(await store.createWebhook(hook(room, 99), 10), false);
      assert.equal(await store.createWebhook(hook(other, 1), 10), true);
    });

    it("moves a delivered position only forward, ends a failing run, and keeps it across a reopen", async () => {
      const h = hook(unique("room"));
      await store.createWebhook(h, 10);
      await store.setWebhookFailing(h.id, 77, "HTTP 500");
      assert.deepEqual(await store.getWebhook(h.id), { ...h, failingSince: 77, lastError: "HTTP 500" });
      await store.setWebhookDelivered(h.id, 9);
      await store.setWebhookDelivered(h.id, 5);
      store = await fx.reopen();
      assert.deepEqual(await store.getWebhook(h.id), { ...h, deliveredSeq: 9 });
    });

    it("keeps the first value of a setting, also under concurrent writers", async () => {
      const name = unique("setting");
      const values = await Promise.all(["a", "b", "c"].map((v) => store.ensureSetting(name, v)));
      assert.equal(new Set(values).size, 1);
      assert.equal(await store.ensureSetting(name, "z"), values[0]);
    });
  });
}
