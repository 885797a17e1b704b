import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { converse, expectConfirmed, history, screenshot, send, signIn, twoUsers, type User } from "./support.js";

const s = twoUsers();

describe("two users in #general", () => {
  it("chat both ways, in order, for both", async () => {
    const script: [User, string][] = [
      [s.ann, "hi 1"],
      [s.bob, "hi 2"],
      [s.ann, "hi 3"],
      [s.ann, "hi 4"],
      [s.bob, "hi 5"],
    ];
    const texts = await converse(script, "hi ");
    await expectConfirmed(s.ann.page, "hi ", texts);
    await expectConfirmed(s.bob.page, "hi ", texts);
    assert.deepEqual(
      (await history(s.server, "general")).filter((m) => m.text.startsWith("hi ")).map((m) => m.text),
      texts,
    );
    await s.bob.page.getByText("ann", { exact: true }).first().waitFor(); // presence list
    await screenshot(s.ann.page, "chat-desktop");
  });

  it("shows who is typing", async () => {
    await s.bob.page.getByRole("textbox", { name: /^Message / }).pressSequentially("typing something");
    await s.ann.page.getByText("bob is typing…").waitFor();
    await screenshot(s.ann.page, "typing-indicator");
    await s.bob.page.getByRole("textbox", { name: /^Message / }).fill("");
  });

  it("sends written offline exactly once, in order, when back online", async () => {
    await s.ann.context.setOffline(true);
    await s.ann.page.locator('[data-testid="connection-banner"]:not([data-state="connected"])').waitFor();
    const texts = ["offline 1", "offline 2", "offline 3"];
    for (const text of texts) await send(s.ann.page, text);
    await s.ann.page.locator('li.message[data-state="retrying"]').nth(2).waitFor();
    await s.ann.page
      .getByText(/offline/i)
      .first()
      .waitFor();
    await screenshot(s.ann.page, "offline-pending");
    await s.ann.context.setOffline(false);
    await expectConfirmed(s.ann.page, "offline ", texts, 30_000);
    await expectConfirmed(s.bob.page, "offline ", texts);
    const stored = (await history(s.server, "general")).filter((m) => m.text.startsWith("offline "));
    assert.deepEqual(
      stored.map((m) => m.text),
      texts,
    );
  });

  it("is usable at 320 px: the rooms menu opens and a DM can be started from the presence list", async () => {
    const narrow = await signIn(s.browser, s.server, "cy", { viewport: { width: 320, height: 640 } });
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
    // ann sees the DM in her sidebar with an unread badge, pushed by the inbox (no reload).
    await s.ann.page.getByRole("link", { name: /cy/ }).locator('[data-testid="unread-badge"]').waitFor();
    await screenshot(s.ann.page, "dm-unread-badge");
    await narrow.context.close();
  });

  it("creates a private room from the sidebar", async () => {
    await s.bob.page.getByRole("button", { name: "+ New room" }).click();
    await s.bob.page.getByLabel("Room name").fill("Design review");
    await s.bob.page.getByLabel(/Invited only/).check();
    await screenshot(s.bob.page, "new-room-form");
    await s.bob.page.getByRole("button", { name: "Create room" }).click();
    await s.bob.page.locator("#room-title", { hasText: "Design review" }).waitFor();
    await send(s.bob.page, "private hello");
    await expectConfirmed(s.bob.page, "private ", ["private hello"]);
  });
});
