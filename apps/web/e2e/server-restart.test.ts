import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { ServerProcess } from "@parley/server/test-support/server-process.js";
import {
  expectConfirmed,
  history,
  launchBrowser,
  restPublish,
  screenshot,
  send,
  signIn,
  startServer,
  type User,
} from "./support.js";

let server: ServerProcess;
let browser: Browser;
let ann: User;
let bob: User;

before(async () => {
  server = await startServer();
  browser = await launchBrowser();
  ann = await signIn(browser, server, "ann");
  bob = await signIn(browser, server, "bob");
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

const banner = (user: User) => user.page.locator('[data-testid="connection-banner"]');

describe("the server is killed and restarted", () => {
  it("both pages say so, resume, and miss nothing published meanwhile through REST", async () => {
    await send(ann.page, "before 1");
    await expectConfirmed(bob.page, "before ", ["before 1"]);

    await server.kill9();
    for (const user of [ann, bob])
      await banner(user)
        .getByText(/Connection lost|Reconnecting/)
        .waitFor();
    await screenshot(bob.page, "server-down-banner");
    await send(ann.page, "during 1"); // waits in ann's outbox

    await server.restart();
    assert.equal(server.port !== 0, true);
    const rest = ["rest 1", "rest 2", "rest 3"];
    for (const text of rest) await restPublish(server, "general", "carol", text);

    for (const user of [ann, bob]) {
      await expectConfirmed(user.page, "rest ", rest, 40_000);
      await expectConfirmed(user.page, "during ", ["during 1"], 40_000);
      await expectConfirmed(user.page, "before ", ["before 1"]);
      await banner(user).and(user.page.locator('[data-state="connected"]')).waitFor({ state: "attached" });
    }
    const stored = (await history(server, "general")).map((m) => m.text);
    for (const user of [ann, bob]) {
      const shown = (await user.page.$$eval("li.message .body", (els) => els.map((e) => e.textContent))).filter(
        Boolean,
      );
      assert.deepEqual(shown, stored, `${user.name} shows exactly the stored history, in order`);
    }
  });
});
