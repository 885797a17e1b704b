import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  eventually,
  expectAccessible,
  expectConfirmed,
  restPublish,
  screenshot,
  send,
  signIn,
  twoUsers,
  type User,
} from "./support.js";

const s = twoUsers();
const box = (u: User) => u.page.getByRole("textbox", { name: /^Message / });
const row = (u: User, text: string) => u.page.locator("li.message", { hasText: text });
const focused = (u: User) =>
  u.page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    return { tag: el?.tagName, id: el?.id, text: el?.textContent ?? "", cls: el?.className ?? "" };
  });

describe("message actions by keyboard (issue 16, items 3 and 7)", () => {
  it("a message is one tab stop before the composer; arrows move; + reacts, E edits, R replies, Delete deletes", async () => {
    await send(s.bob.page, "kb from bob");
    await expectConfirmed(s.bob.page, "kb ", ["kb from bob"]);
    await send(s.ann.page, "kb from ann");
    await expectConfirmed(s.ann.page, "kb ", ["kb from bob", "kb from ann"]);
    const { page } = s.ann;
    await box(s.ann).focus();
    await page.keyboard.press("Shift+Tab");
    await eventually(async () => assert.match((await focused(s.ann)).text, /kb from ann/));
    assert.equal((await focused(s.ann)).tag, "LI");
    await page.keyboard.press("ArrowUp");
    await eventually(async () => assert.match((await focused(s.ann)).text, /kb from bob/));

    await page.keyboard.press("+"); // the picker opens with its first emoji focused
    await page.getByRole("menuitem", { name: "React with 👍" }).waitFor();
    await eventually(async () => assert.match((await focused(s.ann)).cls, /^$|/) as undefined);
    await page.keyboard.press("Enter");
    await row(s.bob, "kb from bob").locator('[data-emoji="👍"]').waitFor();

    await row(s.ann, "kb from ann").focus();
    await page.keyboard.press("e");
    await page.getByRole("textbox", { name: "Edit message" }).waitFor();
    await page.keyboard.press("ControlOrMeta+a");
    await page.keyboard.type("kb from ann, edited");
    await page.keyboard.press("Enter");
    await row(s.bob, "kb from ann, edited").getByText("(edited)").waitFor();
    await eventually(async () => assert.match((await focused(s.ann)).text, /kb from ann, edited/), 5_000);

    await page.keyboard.press("r");
    await page.getByTestId("thread").waitFor();
    await expectAccessible(page, "thread panel");
    await page.getByRole("button", { name: "Close thread" }).click();

    await row(s.ann, "kb from ann, edited").focus();
    await page.keyboard.press("Delete");
    await page.getByRole("button", { name: "Delete", exact: true }).and(page.locator(":focus")).waitFor();
    await page.keyboard.press("Enter");
    await s.bob.page.locator("li.message[data-deleted]").last().waitFor();
    await expectAccessible(page, "desktop chat after keyboard actions");
  });

  it("↑ in an empty composer edits my last message; Escape cancels", async () => {
    await send(s.ann.page, "kb up arrow");
    await expectConfirmed(s.ann.page, "kb up", ["kb up arrow"]);
    await box(s.ann).focus();
    await s.ann.page.keyboard.press("ArrowUp");
    const edit = s.ann.page.getByRole("textbox", { name: "Edit message" });
    await edit.waitFor();
    assert.equal(await edit.inputValue(), "kb up arrow");
    await s.ann.page.keyboard.press("Escape");
    await edit.waitFor({ state: "detached" });
  });

  it("switching rooms focuses the composer; the tab title counts unread; search puts whole-word matches first", async () => {
    const { page } = s.ann;
    await page.getByRole("button", { name: "Browse rooms" }).click();
    const publicRooms = page.getByRole("region", { name: "Public rooms" });
    await publicRooms.waitFor();
    await publicRooms.getByText("Loading rooms…").waitFor({ state: "detached" });
    await expectAccessible(page, "public rooms");
    await page.getByRole("button", { name: "Browse rooms" }).click();
    await page.getByRole("button", { name: "+ New room" }).click();
    await page.getByLabel("Room name").fill("Side room");
    await expectAccessible(page, "new room form");
    await page.getByRole("button", { name: "Create room" }).click();
    await page.locator("#room-title", { hasText: "Side room" }).waitFor();
    await eventually(async () => assert.equal((await focused(s.ann)).id, "composer-input"));
    await send(s.bob.page, "kb while ann is away");
    await eventually(async () => assert.match(await page.title(), /^\(1\) Parley$/));
    await page.getByRole("link", { name: /general/ }).click();
    await eventually(async () => assert.equal((await focused(s.ann)).id, "composer-input"));
    await eventually(async () => assert.equal(await page.title(), "Parley"));

    await restPublish(s.server, "general", "bob", "zq17 is the one");
    for (let n = 170; n < 180; n++) await restPublish(s.server, "general", "bob", `zq${n} is not`);
    await page.getByRole("searchbox", { name: "Search messages" }).fill("zq17");
    const hits = page.locator(".search-hit .hit-text");
    await eventually(async () => assert.equal(await hits.count(), 11));
    assert.equal(await hits.first().textContent(), "zq17 is the one");
    await expectAccessible(page, "search results");
    await page.keyboard.press("Escape");
  });
});

describe("at phone width, by touch (issue 16, items 3 and 7)", () => {
  it("a ⋯ button shows the tools without hover; the rooms menu closes on Escape and on a tap outside", async () => {
    const cy = await signIn(s.browser, s.server, "cy", { viewport: { width: 390, height: 760 }, touch: true });
    const { page } = cy;
    await send(s.bob.page, "touch me");
    const target = row(cy, "touch me");
    const more = target.getByRole("button", { name: "Actions for bob's message" });
    await more.tap();
    await target.getByRole("button", { name: "Add reaction" }).tap();
    await page.getByRole("menuitem", { name: "React with 🎉" }).tap();
    await row(s.bob, "touch me").locator('[data-emoji="🎉"]').waitFor();
    await target.getByRole("button", { name: "Add reaction" }).waitFor(); // still open after picking
    await screenshot(page, "phone-message-actions");
    await expectAccessible(page, "phone chat with a message's tools open");
    await page.locator("#room-title").tap(); // outside the message
    await target.getByRole("button", { name: "Add reaction" }).waitFor({ state: "hidden" });

    const menu = page.getByRole("button", { name: "Rooms", exact: true });
    const nav = page.getByRole("navigation", { name: "Rooms and direct messages" });
    await menu.tap();
    await nav.waitFor();
    await expectAccessible(page, "phone rooms menu");
    await page.keyboard.press("Escape");
    await nav.waitFor({ state: "hidden" });
    await menu.tap();
    await nav.waitFor();
    await page.mouse.click(370, 700); // the message pane, right of the menu
    await nav.waitFor({ state: "hidden" });
    await cy.context.close();
  });

  it("the sign-in screen passes axe", async () => {
    const context = await s.browser.newContext({ viewport: { width: 390, height: 760 } });
    const page = await context.newPage();
    await page.goto(s.server.httpUrl);
    await page.getByLabel("Your name").waitFor();
    await expectAccessible(page, "sign-in");
    await context.close();
  });
});
