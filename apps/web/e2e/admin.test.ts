// The admin dashboard at /admin (docs/admin.md): it asks for a server key with the admin scope,
// refuses a wrong one and an api-only one with a message that says why, and then shows live
// connections rising as users sign in and messages per second as they publish.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { KeysFile, testKey } from "@parley/server/testing/server-keys.js";
import {
  eventually,
  expectAccessible,
  launchBrowser,
  restPublish,
  screenshot,
  signIn,
  startServer,
  WEB_ROOT,
  type User,
} from "./support.js";

const keys = new KeysFile();
const admin = testKey("ops", ["admin"]);
const apiOnly = testKey("backend", ["api"]);
keys.write([admin.entry, apiOnly.entry]);

/** The number a dashboard figure shows now. */
async function figure(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(id).textContent());
}

async function enterKey(page: Page, key: string): Promise<void> {
  await page.getByLabel("Admin key").fill(key);
  await page.getByRole("button", { name: "Open dashboard" }).click();
}

describe("admin dashboard", () => {
  let server: ServerProcess;
  let browser: Browser;
  const users: User[] = [];
  before(async () => {
    server = await startServer(["--server-keys-file", keys.path]);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
    keys.cleanup();
  });

  it("asks for a key and refuses a wrong one and one without the admin scope, saying why", async () => {
    const page = await (await browser.newContext()).newPage();
    await page.goto(`${server.httpUrl}/admin`);
    await page.getByLabel("Admin key").waitFor();
    await expectAccessible(page, "admin key form");
    assert.equal(await page.getByRole("alert").count(), 0, "the dashboard is on: nothing to warn about");
    const secret = admin.credential.split(".")[1] ?? "";
    await enterKey(page, `ops.${secret}x`);
    await page.getByRole("alert").filter({ hasText: "401 UNAUTHORIZED" }).waitFor();
    await enterKey(page, apiOnly.credential);
    await page.getByRole("alert").filter({ hasText: "lacks the admin scope" }).waitFor();
    await screenshot(page, "admin-refused");
    assert.equal(await page.evaluate(() => sessionStorage.length), 0, "a refused key is not kept");
    await page.context().close();
  });

  it("shows connections rising as users sign in and messages per second as they publish", async () => {
    const page = await (await browser.newContext({ viewport: { width: 1200, height: 900 } })).newPage();
    await page.goto(`${server.httpUrl}/admin`);
    await enterKey(page, admin.credential);
    await page.getByTestId("connections").waitFor();
    assert.equal(await figure(page, "connections"), 0);
    users.push(await signIn(browser, server, "ann"), await signIn(browser, server, "bob"));
    await eventually(async () => assert.equal(await figure(page, "connections"), 2));
    await eventually(async () => assert.equal(await figure(page, "users"), 2));
    // Published until a poll sees them: a rate shows only while messages flow.
    let n = 0;
    await eventually(async () => {
      await restPublish(server, "general", "carol", `load ${++n}`);
      assert.ok((await figure(page, "messages-in")) > 0, "messages in/s");
      assert.ok((await figure(page, "messages-out")) > 0, "messages out/s");
    }, 30_000);
    await page
      .getByRole("table", { name: "Top rooms by connections" })
      .getByRole("cell", { name: "general" })
      .waitFor();
    await page.getByRole("table", { name: "Top rooms by messages/s" }).getByRole("cell", { name: "general" }).waitFor();
    await page.getByTestId("node-embedded").getByText("ready").waitFor();
    await expectAccessible(page, "admin dashboard");
    await screenshot(page, "admin-dashboard");

    // The key is kept for this tab only: a reload opens the dashboard again without asking.
    await page.reload();
    await page.getByTestId("connections").waitFor();
    await page.getByRole("button", { name: "Forget key" }).click();
    await page.getByLabel("Admin key").waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.length), 0);
    for (const user of users) await user.context.close();
    await page.context().close();
  });
});

it("a server without a keys file: the dashboard says it is off", async () => {
  const plain = await ServerProcess.start({ args: ["--web-root", WEB_ROOT] });
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage();
    await page.goto(`${plain.httpUrl}/admin`);
    // Said before any key is typed, and again for a key.
    await page.getByRole("alert").filter({ hasText: "The dashboard is off" }).waitFor();
    await enterKey(page, admin.credential);
    await page.getByRole("alert").filter({ hasText: "The dashboard is off" }).waitFor();
  } finally {
    await browser.close();
    await plain.cleanup();
  }
});
