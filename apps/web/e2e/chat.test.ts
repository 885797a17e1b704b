import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { ServerProcess } from "@parley/server/test-support/server-process.js";
import {
  expectConfirmed,
  history,
  launchBrowser,
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

describe("two users in #general", () => {
  it("chat both ways, in order, for both", async () => {
    const script: [User, string][] = [
      [ann, "hi 1"],
      [bob, "hi 2"],
      [ann, "hi 3"],
      [ann, "hi 4"],
      [bob, "hi 5"],
    ];
    for (const [user, text] of script) await send(user.page, text);
    const texts = script.map(([, t]) => t);
    await expectConfirmed(ann.page, "hi ", texts);
    await expectConfirmed(bob.page, "hi ", texts);
    assert.deepEqual(
      (await history(server, "general")).filter((m) => m.text.startsWith("hi ")).map((m) => m.text),
      texts,
    );
    await bob.page.getByText("ann", { exact: true }).first().waitFor(); // presence list
    await screenshot(ann.page, "chat-desktop");
  });

  it("shows who is typing", async () => {
    await bob.page.getByRole("textbox", { name: /^Message / }).pressSequentially("typing something");
    await ann.page.getByText("bob is typing…").waitFor();
    await screenshot(ann.page, "typing-indicator");
    await bob.page.getByRole("textbox", { name: /^Message / }).fill("");
  });

  it("sends written offline exactly once, in order, when back online", async () => {
    await ann.context.setOffline(true);
    await ann.page.locator('[data-testid="connection-banner"]:not([data-state="connected"])').waitFor();
    const texts = ["offline 1", "offline 2", "offline 3"];
    for (const text of texts) await send(ann.page, text);
    await ann.page.locator('li.message[data-state="retrying"]').nth(2).waitFor();
    await ann.page
      .getByText(/offline/i)
      .first()
      .waitFor();
    await screenshot(ann.page, "offline-pending");
    await ann.context.setOffline(false);
    await expectConfirmed(ann.page, "offline ", texts, 30_000);
    await expectConfirmed(bob.page, "offline ", texts);
    const stored = (await history(server, "general")).filter((m) => m.text.startsWith("offline "));
    assert.deepEqual(
      stored.map((m) => m.text),
      texts,
    );
  });

  it("is usable at 320 px: the rooms menu opens and a DM can be started from the presence list", async () => {
    const narrow = await signIn(browser, server, "cy", { width: 320, height: 640 });
    await screenshot(narrow.page, "mobile-320");
    const menu = narrow.page.getByRole("button", { name: "Rooms", exact: true });
    await menu.click();
    await narrow.page.getByRole("navigation", { name: "Rooms and direct messages" }).waitFor();
    await screenshot(narrow.page, "mobile-320-menu");
    await menu.click();
    await narrow.page.getByRole("button", { name: "Here now" }).click();
    await narrow.page.getByRole("button", { name: "Message ann" }).click();
    await narrow.page.locator("#room-title", { hasText: "@ann" }).waitFor();
    await send(narrow.page, "dm hello");
    await expectConfirmed(narrow.page, "dm ", ["dm hello"]);
    // ann sees the DM in her sidebar with an unread badge (after her next rooms refresh or a live event).
    await ann.page.reload();
    await ann.page.getByRole("link", { name: /cy/ }).locator('[data-testid="unread-badge"]').waitFor();
    await screenshot(ann.page, "dm-unread-badge");
    await narrow.context.close();
  });

  it("creates a private room from the sidebar", async () => {
    await bob.page.getByRole("button", { name: "+ New room" }).click();
    await bob.page.getByLabel("Room name").fill("Design review");
    await bob.page.getByLabel(/Invited only/).check();
    await screenshot(bob.page, "new-room-form");
    await bob.page.getByRole("button", { name: "Create room" }).click();
    await bob.page.locator("#room-title", { hasText: "Design review" }).waitFor();
    await send(bob.page, "private hello");
    await expectConfirmed(bob.page, "private ", ["private hello"]);
  });
});
