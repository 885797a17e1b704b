import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { eventually, expectConfirmed, history, screenshot, send, signIn, twoUsers, type User } from "./support.js";

const s = twoUsers();

/** Waits until the service worker controls the page and holds the app shell (the page and its files). */
async function shellCached(user: User): Promise<void> {
  // Polled from here: waitForFunction takes the Promise an async predicate returns as its (truthy) answer.
  await eventually(async () => {
    const cached = await user.page.evaluate(async () => {
      if (!navigator.serviceWorker.controller) return false;
      const cache = await caches.open("parley-shell");
      const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
      return keys.includes("/") && keys.some((k) => k.endsWith(".js")) && keys.some((k) => k.endsWith(".css"));
    });
    assert.ok(cached, "the service worker controls the page and holds the shell");
  });
}

describe("offline shell (issue 16, item 4)", () => {
  for (const [label, viewport] of [
    ["desktop", { width: 1100, height: 720 }],
    ["phone", { width: 390, height: 760 }],
  ] as const) {
    it(`${label}: a reload without network or server shows the app with its pending messages, sent once on return`, async () => {
      const user = label === "desktop" ? s.ann : await signIn(s.browser, s.server, "cy", { viewport });
      const { page, context } = user;
      await shellCached(user);
      await context.setOffline(true);
      await page.getByTestId("connection-banner").getByText("You are offline").waitFor();
      const texts = [`${label} pending 1`, `${label} pending 2`];
      for (const text of texts) await send(page, text);
      await page.locator("li.message", { hasText: texts[1] }).waitFor();
      // The server is down too, so nothing but the service worker's cache can answer the reload.
      await s.server.kill9();
      await page.reload();
      await page.locator("#room-title").waitFor();
      await page.getByTestId("connection-banner").getByText("You are offline").waitFor();
      for (const text of texts) await page.locator("li.message", { hasText: text }).waitFor();
      await screenshot(page, `offline-reload-${label}`);
      await s.server.restart();
      await context.setOffline(false);
      await expectConfirmed(page, `${label} pending`, texts, 30_000);
      await expectConfirmed(s.bob.page, `${label} pending`, texts, 30_000);
      const stored = (await history(s.server, "general")).filter((m) => m.text.startsWith(`${label} pending`));
      assert.deepEqual(
        stored.map((m) => m.text),
        texts,
      );
      if (user !== s.ann) await context.close();
    });
  }
});
