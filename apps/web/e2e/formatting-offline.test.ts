import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  eventually,
  expectAccessible,
  expectConfirmed,
  screenshot,
  send,
  signIn,
  twoUsers,
  type User,
} from "./support.js";

const s = twoUsers();

describe("formatting (issue 16, item 5)", () => {
  it("bob sees ann's Markdown formatted and her links clickable; script, javascript: links and HTML stay text", async () => {
    await s.bob.page.evaluate(() => {
      (window as unknown as { pwned: number }).pwned = 0;
    });
    s.bob.page.on("dialog", (d) => assert.fail(`a dialog opened: ${d.message()}`));
    const text = [
      "fmt **bold** *it* `code` https://example.com/x",
      "```",
      "block <b>x</b>",
      "```",
      "- one",
      "- two",
      "",
      "> quoted",
      "",
      '<script>window.pwned = 1</script> <img src=x onerror="window.pwned = 2"> [click](javascript:window.pwned=3)',
    ].join("\n");
    await s.ann.page.getByRole("textbox", { name: /^Message / }).fill(text);
    await s.ann.page.getByRole("textbox", { name: /^Message / }).press("Enter");
    const row = s.bob.page.locator("li.message", { hasText: "fmt" });
    await row.locator("strong", { hasText: "bold" }).waitFor();
    await row.locator("em", { hasText: "it" }).waitFor();
    await row.locator("code", { hasText: "code" }).first().waitFor();
    await row.locator("pre code", { hasText: "block <b>x</b>" }).waitFor();
    assert.equal(await row.locator("ul li").count(), 2);
    await row.locator("blockquote", { hasText: "quoted" }).waitFor();
    const link = row.getByRole("link", { name: "https://example.com/x" });
    assert.equal(await link.getAttribute("href"), "https://example.com/x");
    assert.equal(await link.getAttribute("target"), "_blank");
    await row.getByText("[click](javascript:window.pwned=3)").waitFor();
    assert.equal(await row.locator("script, img, a[href^='javascript']").count(), 0);
    await row.getByText("[click](javascript:window.pwned=3)").click();
    assert.equal(await s.bob.page.evaluate(() => (window as unknown as { pwned: number }).pwned), 0);
    await screenshot(s.bob.page, "formatting-desktop");
    await expectAccessible(s.bob.page, "chat with formatted messages");

    const cy = await signIn(s.browser, s.server, "cy", { viewport: { width: 390, height: 760 }, touch: true });
    const phoneRow = cy.page.locator("li.message", { hasText: "fmt" });
    await phoneRow.locator("pre code", { hasText: "block <b>x</b>" }).waitFor();
    assert.equal(await phoneRow.locator("script, img, a[href^='javascript']").count(), 0);
    const width = await cy.page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the page scrolls sideways at 390 px (${width} px wide)`);
    await screenshot(cy.page, "formatting-phone");
    await expectAccessible(cy.page, "phone chat with formatted messages");
    await cy.context.close();
  });
});

describe("offline banner (issue 16, items 4 and 7)", () => {
  for (const label of ["desktop", "phone"] as const) {
    it(`${label}: says offline within 2 s of the browser going offline, clears within 2 s of coming back, and moves nothing`, async () => {
      const user: User =
        label === "desktop"
          ? s.ann
          : await signIn(s.browser, s.server, "dee", { viewport: { width: 390, height: 760 }, touch: true });
      await bannerRoundTrip(user, label);
      if (user !== s.ann) await user.context.close();
    });
  }
});

async function bannerRoundTrip(user: User, label: string): Promise<void> {
  const { page, context } = user;
  await send(page, `offline check ${label}`);
  await expectConfirmed(page, `offline check ${label}`, [`offline check ${label}`]);
  const banner = page.getByTestId("connection-banner");
  const where = () => page.getByRole("textbox", { name: /^Message / }).boundingBox();
  const title = () => page.locator("#room-title").boundingBox();
  const before = [await where(), await title()];
  const wentOffline = Date.now();
  await context.setOffline(true);
  await banner.getByText("You are offline").waitFor({ timeout: 2_000 });
  const offlineAfter = Date.now() - wentOffline;
  assert.deepEqual([await where(), await title()], before, "the banner shifted the layout");
  await screenshot(page, `offline-banner-${label}`);
  const back = Date.now();
  await context.setOffline(false);
  await page
    .locator('[data-testid="connection-banner"][data-state="connected"]')
    .waitFor({ state: "attached", timeout: 2_000 });
  await eventually(async () => assert.doesNotMatch((await banner.textContent()) ?? "", /offline|lost/i), 2_000);
  const backAfter = Date.now() - back;
  assert.deepEqual([await where(), await title()], before, "the banner shifted the layout");
  console.log(`${label}: offline shown after ${offlineAfter} ms, cleared after ${backAfter} ms`);
}
