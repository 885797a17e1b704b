/**
 * Web Push in the browser: the service worker registers at /sw.js with scope
 * /, the settings control reflects the subscription state, and a push shows
 * a notification.
 *
 * Real delivery through the browser's push service cannot run here: headless
 * Chromium subscribes through Google's push service (FCM), which is
 * unreachable. So one test checks that the UI reports that failure, and one
 * stands in for the browser's PushManager with a subscription of the local
 * push service (LocalPushService, the same one the server's e2e push test
 * uses), so the whole path UI → REST → server → encrypted, VAPID-signed push
 * still runs for real; the push event itself is then injected through the
 * DevTools protocol (ServiceWorker.deliverPushMessage), and the click on the
 * notification is a dispatched `notificationclick`.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { LocalPushService, type BrowserSubscription } from "@parley/server/testing/push-service.js";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { WEB_ROOT, eventually, launchBrowser, screenshot, signIn } from "./support.js";

const settings = (page: Page) => page.getByTestId("push-settings");

/** Replaces PushManager's subscribe/getSubscription with the local push service's subscription (see above). */
function standInPushManager(sub: BrowserSubscription) {
  return async (context: BrowserContext) => {
    await context.addInitScript((s: BrowserSubscription) => {
      let current: PushSubscription | null = null;
      const fake = {
        endpoint: s.endpoint,
        expirationTime: null,
        toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys }),
        unsubscribe: async () => ((current = null), true),
      } as unknown as PushSubscription;
      PushManager.prototype.subscribe = async () => (current = fake);
      PushManager.prototype.getSubscription = async () => current;
    }, sub);
  };
}

async function grant(context: BrowserContext, origin: string): Promise<void> {
  await context.grantPermissions(["notifications"], { origin });
}

describe("Web Push in the browser", () => {
  let service: LocalPushService;
  let server: ServerProcess;
  let browser: Browser;

  before(async () => {
    service = await LocalPushService.start();
    server = await ServerProcess.start({
      // The local push service is on 127.0.0.1, which push may reach only when allowed.
      args: ["--web-root", WEB_ROOT, "--heartbeat-ms", "1000", "--outbound-allowed-networks", "127.0.0.1"],
      env: { NODE_EXTRA_CA_CERTS: service.caFile },
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
    await service?.stop();
  });

  it("registers the service worker at /sw.js for the whole app and starts with notifications off", async () => {
    const { page, context } = await signIn(browser, server, "pia", { prepare: (c) => grant(c, server.httpUrl) });
    await settings(page).and(page.locator('[data-state="off"]')).waitFor();
    const reg = await page.evaluate(async () => {
      const r = await navigator.serviceWorker.ready;
      return { scope: r.scope, script: r.active?.scriptURL };
    });
    assert.deepEqual(reg, { scope: `${server.httpUrl}/`, script: `${server.httpUrl}/sw.js` });
    const sw = await fetch(`${server.httpUrl}/sw.js`);
    assert.match(sw.headers.get("content-type") ?? "", /javascript/);
    await context.close();
  });

  it("says so when the browser's own push service cannot be reached", async () => {
    const { page, context } = await signIn(browser, server, "quinn", { prepare: (c) => grant(c, server.httpUrl) });
    await settings(page).getByRole("button", { name: "Enable notifications" }).click();
    await settings(page).and(page.locator('[data-state="error"]')).waitFor({ timeout: 30_000 });
    assert.match(await settings(page).getByRole("alert").innerText(), /Could not turn notifications on/);
    await context.close();
  });

  it("enables and disables: the subscription reaches the server, pushes arrive, and stop after disabling", async () => {
    const sub = service.subscribe();
    const prepare = async (c: BrowserContext) => (await grant(c, server.httpUrl), await standInPushManager(sub)(c));
    const { page, context } = await signIn(browser, server, "rae", { prepare });
    await settings(page).getByRole("button", { name: "Enable notifications" }).click();
    await settings(page).and(page.locator('[data-state="on"]')).waitFor();
    await screenshot(page, "push-settings-on");
    const seq = await dm("zed", "rae", "are you there?");
    const push = await service.next((p) => p.subscription === sub.id);
    assert.deepEqual(push.payload, { room: "dm:rae:zed", seq, from: "zed", text: "are you there?", kind: "dm" });

    await settings(page).getByRole("button", { name: "Notifications on" }).click();
    await settings(page).and(page.locator('[data-state="off"]')).waitFor();
    await dm("zed", "rae", "gone now?");
    const marker = service.subscribe(); // a later push to someone else: the notifier works in order
    await registerDirectly("sam", marker);
    await dm("zed", "sam", "barrier");
    await service.next((p) => p.subscription === marker.id);
    assert.equal(service.hits.get(sub.id), 1);
    await context.close();
  });

  it("shows a notification for a push, titled by the sender, and a click opens the room", async () => {
    const { page, context } = await signIn(browser, server, "uma", { prepare: (c) => grant(c, server.httpUrl) });
    await page.evaluate(() => navigator.serviceWorker.ready);
    const cdp = await context.newCDPSession(page);
    // The latest live registration of the app's scope: a registration can be replaced while the page settles.
    let registrationId = "";
    await new Promise<void>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const mine = registrations.find((r) => r.scopeURL === `${server.httpUrl}/` && !r.isDeleted);
        if (!mine) return;
        registrationId = mine.registrationId;
        resolve();
      });
      void cdp.send("ServiceWorker.enable");
    });
    const payload = { room: "dm:uma:vic", seq: 7, from: "vic", text: "lunch?", kind: "dm" };
    await cdp.send("ServiceWorker.deliverPushMessage", {
      origin: server.httpUrl,
      registrationId,
      data: JSON.stringify(payload),
    });
    // Polled from here: waitForFunction takes the Promise an async predicate returns as its (truthy) answer.
    // Up to 30 s: a CI run at load 16 showed nothing within 15 s (the worker may have to start first).
    let shown: unknown[] = [];
    await eventually(async () => {
      shown = await page.evaluate(async () => {
        const list = await (await navigator.serviceWorker.ready).getNotifications();
        return list.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
      });
      assert.ok(shown.length > 0, "a notification is shown");
    }, 30_000);
    assert.deepEqual(shown, [
      { title: "vic", body: "lunch?", tag: "parley:dm:uma:vic", data: { room: "dm:uma:vic", seq: 7 } },
    ]);
    // A click cannot be made on a headless notification; dispatch the event the browser would send.
    // (Its waitUntil throws for an untrusted event, but the handler has started opening the room by then.)
    const [worker] = context.serviceWorkers();
    await worker!.evaluate(async () => {
      // Runs in the service worker; the e2e tsconfig has only the DOM lib, hence the local types.
      type ClickEvent = new (type: string, init: { notification: Notification }) => Event;
      const sw = self as unknown as { registration: ServiceWorkerRegistration; NotificationEvent: ClickEvent };
      const [notification] = await sw.registration.getNotifications();
      self.dispatchEvent(new sw.NotificationEvent("notificationclick", { notification: notification! }));
    });
    await page.waitForFunction(() => location.hash === "#room=dm%3Auma%3Avic");
    assert.equal(
      await page.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length),
      0,
    );
    await context.close();
  });

  async function dm(from: string, to: string, text: string): Promise<number> {
    const room = from < to ? `dm:${from}:${to}` : `dm:${to}:${from}`;
    const res = await fetch(`${server.httpUrl}/v1/rooms/${room}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-user": from },
      body: JSON.stringify({ cmid: `push-${Math.random()}`, body: { text } }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { seq: number }).seq;
  }

  async function registerDirectly(user: string, sub: BrowserSubscription): Promise<void> {
    const res = await fetch(`${server.httpUrl}/v1/push/subscriptions`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-parley-user": user },
      body: JSON.stringify({ endpoint: sub.endpoint, keys: sub.keys }),
    });
    assert.equal(res.status, 201);
  }
});
