/**
 * The sidebar follows the per-user channel: a DM ann opens reaches bob's sidebar without a reload
 * and within 1 s, and its unread and mention badges follow ann's messages and bob's reading.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectConfirmed, screenshot, send, twoUsers } from "./support.js";

const s = twoUsers();

describe("the room list is pushed, never polled", () => {
  it("a DM opened by ann is in bob's sidebar within 1 s, and its badges follow the messages", async (t) => {
    const bobsDm = s.bob.page
      .getByRole("navigation", { name: "Rooms and direct messages" })
      .getByRole("link", { name: /ann/ });
    assert.equal(await bobsDm.count(), 0);
    const polls: string[] = [];
    s.bob.page.on("request", (r) => {
      if (/\/v1\/(rooms|unread)(\?|$)/.test(new URL(r.url()).pathname)) polls.push(r.url());
    });
    // At desktop width the "Here now" list is beside the messages.
    const message = s.ann.page.getByRole("button", { name: "Message bob" });
    await message.waitFor();
    const clickedAt = Date.now();
    await message.click();
    await bobsDm.waitFor({ timeout: 5_000 });
    const latency = Date.now() - clickedAt;
    t.diagnostic(`DM opened by ann → in bob's sidebar: ${latency} ms`);
    assert.ok(latency < 1000, `the DM took ${latency} ms to reach bob's sidebar`);

    await s.ann.page.locator("#room-title", { hasText: "@bob" }).waitFor();
    await send(s.ann.page, "inbox @bob hello");
    await expectConfirmed(s.ann.page, "inbox ", ["inbox @bob hello"]);
    await bobsDm.locator('[data-testid="unread-badge"]', { hasText: "1" }).waitFor();
    await bobsDm.locator('[data-testid="mention-badge"]', { hasText: "@1" }).waitFor();
    await screenshot(s.bob.page, "inbox-dm-badges");
    // bob reads it: the receipt comes back through the inbox and the badges go, in ann's DM too if he leaves it.
    await bobsDm.click();
    await s.bob.page.locator("#room-title", { hasText: "@ann" }).waitFor();
    await s.bob.page.getByRole("link", { name: /general/ }).click();
    await bobsDm.locator('[data-testid="unread-badge"]').waitFor({ state: "detached" });
    assert.equal(await bobsDm.locator('[data-testid="mention-badge"]').count(), 0);
    assert.deepEqual(polls, [], "bob's app asked for no room list or counts");
  });
});
