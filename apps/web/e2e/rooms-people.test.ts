/**
 * Issue 16, "People" and "Rooms": the user directory starts DMs; rooms can be joined, left, renamed and
 * their members added and removed from the app; a mistyped link says "not found" and creates nothing; a
 * private room says "no access"; sign-out forgets the room; REST alone still fills the sidebar.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Page } from "playwright-core";
import { expectAccessible, rest, screenshot, signIn, twoUsers, waitReady, type User } from "./support.js";

const s = twoUsers();
const sidebar = (page: Page) => page.getByRole("navigation", { name: "Rooms and direct messages" });
const title = (page: Page, text: string | RegExp) => page.locator("#room-title", { hasText: text });
const goTo = (page: Page, room: string) =>
  page.evaluate((id) => (location.hash = `#room=${encodeURIComponent(id)}`), room);

async function createRoom(user: string, id: string, name: string, type: "public" | "private"): Promise<void> {
  assert.equal(
    (await rest(s.server, user, { method: "POST", path: "/v1/rooms", body: { id, name, type } })).status,
    201,
  );
}

async function openMembers(u: User): Promise<void> {
  await u.page.getByRole("button", { name: "Members", exact: true }).click();
  await u.page.getByRole("heading", { name: "Members" }).waitFor();
}

describe("people and rooms in the web app (issue 16)", () => {
  it("ann finds bob in the people directory and messages him: the DM opens for her and is in bob's sidebar", async () => {
    const { page } = s.ann;
    await sidebar(page).getByRole("button", { name: "People" }).click();
    await page.getByLabel("Find people").fill("bo");
    const message = sidebar(page).getByRole("button", { name: "Message bob" });
    await message.waitFor();
    await expectAccessible(page, "people directory");
    await screenshot(page, "people-directory");
    await message.click();
    await title(page, "@bob").waitFor();
    await sidebar(s.bob.page).getByRole("link", { name: /ann/ }).waitFor({ timeout: 5_000 });
  });

  it("a mistyped room link says not found, offers no composer, and creates no room", async () => {
    const { page } = s.ann;
    await goTo(page, "no-such-room-zq");
    await title(page, "Room not found").waitFor();
    assert.equal(await page.getByRole("textbox", { name: /^Message/ }).isDisabled(), true);
    assert.equal(await page.locator(".messages .loading").count(), 0);
    await expectAccessible(page, "room not found");
    assert.equal((await rest(s.server, "auditor", { method: "GET", path: "/v1/rooms/no-such-room-zq" })).status, 404);
  });

  it("a private room: no access for ann until bob adds her from the directory; rename and removal reach her sidebar", async () => {
    await createRoom("bob", "plans-zq", "Plans", "private");
    await goTo(s.ann.page, "plans-zq");
    await title(s.ann.page, "No access").waitFor();
    assert.equal(await s.ann.page.getByRole("textbox", { name: /^Message/ }).isDisabled(), true);
    assert.equal(await s.ann.page.getByText("Loading messages").count(), 0);
    await expectAccessible(s.ann.page, "no access");
    await screenshot(s.ann.page, "room-no-access");

    // bob, the creator, adds ann from the directory in the room's Members panel.
    await goTo(s.bob.page, "plans-zq");
    await title(s.bob.page, "Plans").waitFor();
    await waitReady(s.bob.page);
    await openMembers(s.bob);
    await s.bob.page.getByLabel("Add people").fill("an");
    await s.bob.page.getByRole("button", { name: "Add ann" }).click();
    await s.bob.page.getByRole("list", { name: "Members" }).getByText("ann", { exact: true }).waitFor();
    const annsLink = sidebar(s.ann.page).getByRole("link", { name: /Plans/ });
    await annsLink.waitFor();
    // ann's "no access" turns into the room once the add is pushed to her.
    await title(s.ann.page, "Plans").waitFor();
    await waitReady(s.ann.page);
    await openMembers(s.ann);
    await s.ann.page.getByRole("list", { name: "Members" }).getByText("bob").waitFor();
    // Dev mode grants every capability, delete_any included: who moderates is in moderators.test.ts.
    await expectAccessible(s.ann.page, "members panel (member)");

    await s.bob.page.getByLabel("Room name").fill("Plans 2027");
    await s.bob.page.getByRole("button", { name: "Rename" }).click();
    await sidebar(s.ann.page)
      .getByRole("link", { name: /Plans 2027/ })
      .waitFor();
    await title(s.bob.page, "Plans 2027").waitFor();
    await expectAccessible(s.bob.page, "members panel (creator)");
    await screenshot(s.bob.page, "room-members-desktop");

    await s.bob.page.getByRole("button", { name: "Remove ann" }).click();
    await annsLink.waitFor({ state: "detached" });
    await title(s.ann.page, "No access").waitFor();
  });

  it("a public room ann is not in shows its name and a Join button; she joins, then leaves", async () => {
    await createRoom("bob", "design-zq", "Design Review", "public");
    // bob watches the members: his open panel follows joins and leaves without a reload.
    await goTo(s.bob.page, "design-zq");
    await title(s.bob.page, "Design Review").waitFor();
    await waitReady(s.bob.page);
    await openMembers(s.bob);
    const bobSees = (name: string) =>
      s.bob.page.getByRole("list", { name: "Members" }).getByText(name, { exact: true });
    const { page } = s.ann;
    // A search finds the message of a room ann is not in: its name shows, not its id.
    assert.equal(
      (
        await rest(s.server, "bob", {
          method: "POST",
          path: "/v1/rooms/design-zq/messages",
          body: { cmid: "k1", body: { text: "kickoffzq agenda" } },
        })
      ).status,
      201,
    );
    await page.getByRole("searchbox", { name: "Search messages" }).fill("kickoffzq");
    const hitMeta = page.getByRole("region", { name: "Search results" }).locator(".search-hit .hit-meta");
    await hitMeta.filter({ hasText: "Design Review" }).waitFor();
    assert.doesNotMatch((await hitMeta.textContent()) ?? "", /design-zq/);
    await page.keyboard.press("Escape");
    await goTo(page, "design-zq");
    await title(page, "Design Review").waitFor();
    assert.equal(await page.locator("#room-title", { hasText: "design-zq" }).count(), 0, "the id stays hidden");
    const join = page.getByRole("button", { name: "Join Design Review" });
    await join.click();
    const link = sidebar(page).getByRole("link", { name: /Design Review/ });
    await link.waitFor();
    await join.waitFor({ state: "detached" });
    await waitReady(page);
    await bobSees("ann").waitFor();
    // By keyboard: Enter on "Members" moves the focus into the panel; Escape closes it, back on the button.
    const membersButton = page.getByRole("button", { name: "Members", exact: true });
    await membersButton.focus();
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "Members" }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("heading", { name: "Members" }).waitFor({ state: "detached" });
    await membersButton.and(page.locator(":focus")).waitFor();
    await openMembers(s.ann);
    await page.getByRole("button", { name: "Leave room" }).click();
    await link.waitFor({ state: "detached" });
    await eventuallyNotIn(page, "Design Review");
    await bobSees("ann").waitFor({ state: "detached" });
    const members = await rest(s.server, "bob", { method: "GET", path: "/v1/rooms/design-zq/members" });
    assert.deepEqual(
      (members.json.members as { user: string }[]).map((m) => m.user),
      ["bob"],
    );
  });

  it("signing out and in as someone else does not keep the previous user's room in the URL", async () => {
    const ann = await signIn(s.browser, s.server, "ann");
    try {
      await goTo(ann.page, "no-such-room-zq");
      await title(ann.page, "Room not found").waitFor();
      await ann.page.getByRole("button", { name: "Sign out" }).click();
      assert.equal(new URL(ann.page.url()).hash, "");
      await ann.page.getByLabel("Your name").fill("dee");
      await ann.page.getByRole("button", { name: "Sign in" }).click();
      await title(ann.page, "general").waitFor();
      assert.doesNotMatch(ann.page.url(), /no-such-room/);
    } finally {
      await ann.context.close();
    }
  });

  it("while the socket cannot connect (WebSocket and SSE refused) but REST works, the sidebar lists the rooms", async () => {
    const context = await s.browser.newContext({ viewport: { width: 1100, height: 720 } });
    try {
      await context.routeWebSocket(/\/v1\/ws$/, (ws) => void ws.close({ code: 1011, reason: "proxy" }));
      await context.route(/\/v1\/sse/, (route) => route.abort());
      const page = await context.newPage();
      await page.goto(s.server.httpUrl);
      await page.getByLabel("Your name").fill("bob");
      await page.getByRole("button", { name: "Sign in" }).click();
      await sidebar(page)
        .getByRole("link", { name: /general/ })
        .waitFor();
      await sidebar(page).getByRole("link", { name: /Plans/ }).waitFor();
      assert.notEqual(await page.getByTestId("connection-banner").getAttribute("data-state"), "connected");
    } finally {
      await context.close();
    }
  });

  it("at phone width: the people directory from the ☰ menu and a room's members panel, usable and accessible", async () => {
    const cy = await signIn(s.browser, s.server, "cy", { viewport: { width: 390, height: 760 }, touch: true });
    try {
      const { page } = cy;
      await page.getByRole("button", { name: "Rooms" }).click();
      await sidebar(page).getByRole("button", { name: "People" }).click();
      await page.getByLabel("Find people").fill("ann");
      await expectAccessible(page, "people directory at 390 px");
      await screenshot(page, "people-directory-phone");
      await sidebar(page).getByRole("button", { name: "Message ann" }).click();
      await title(page, "@ann").waitFor();
      await sidebar(s.ann.page).getByRole("link", { name: /cy/ }).waitFor();
      await page.getByRole("button", { name: "Rooms" }).click();
      await sidebar(page)
        .getByRole("link", { name: /general/ })
        .click();
      await title(page, "general").waitFor();
      await openMembers(cy);
      await page.getByRole("button", { name: "Add ann" }).waitFor({ state: "detached" });
      await expectAccessible(page, "members panel at 390 px");
      await expectNoSidewaysScroll(page);
      await screenshot(page, "room-members-phone");
      // A public room cy is not in (Join beside Members and Here now) and a mistyped link, at phone width.
      await goTo(page, "design-zq");
      await page.getByRole("button", { name: "Join Design Review" }).waitFor();
      await expectNoSidewaysScroll(page);
      await expectAccessible(page, "public room not joined at 390 px");
      await page.setViewportSize({ width: 320, height: 640 });
      await expectNoSidewaysScroll(page);
      await screenshot(page, "room-join-320");
      await page.setViewportSize({ width: 390, height: 760 });
      await goTo(page, "no-such-room-zq");
      await title(page, "Room not found").waitFor();
      await expectNoSidewaysScroll(page);
      await expectAccessible(page, "room not found at 390 px");
    } finally {
      await cy.context.close();
    }
  });
});

async function expectNoSidewaysScroll(page: Page): Promise<void> {
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll");
}

async function eventuallyNotIn(page: Page, name: string): Promise<void> {
  await page.locator("#room-title", { hasText: name }).waitFor({ state: "detached" });
}
