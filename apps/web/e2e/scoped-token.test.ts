// The README's production path in a browser: a server with a JWT secret, a token minted for `team-*`
// rooms only. Signing in with it must not end in an error just because #general is not covered.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import { mintToken } from "@parley/server";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { WEB_ROOT, launchBrowser, screenshot } from "./support.js";

const SECRET = "scoped-token-e2e-secret-0123456789abcdef";

describe("signing in with a token scoped to other rooms than #general", () => {
  let server: ServerProcess;
  let browser: Browser;
  before(async () => {
    server = await ServerProcess.start({ dev: false, args: ["--web-root", WEB_ROOT, "--jwt-secret", SECRET] });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it("starts with no rooms and no error, and the user can create a room the token allows", async () => {
    const caps = { "team-*": ["subscribe", "publish", "history", "presence"] } as const;
    const token = await mintToken({ secret: SECRET, user: "tess", caps, ttlSeconds: 600 });
    const page = await (await browser.newContext({ viewport: { width: 1100, height: 720 } })).newPage();
    await page.goto(server.httpUrl);
    await page.getByLabel("Access token (JWT)").fill(token);
    await page.getByRole("button", { name: "Sign in with token" }).click();
    await page.getByText("Pick or create a room.").waitFor();
    await page.locator('[data-testid="connection-banner"][data-state="connected"]').waitFor({ state: "attached" });
    await page.locator('#sidebar[data-ready="true"]').waitFor({ state: "attached" }); // the rooms' first answer came
    assert.equal(await page.getByText(/Could not load your rooms/).count(), 0);
    await screenshot(page, "scoped-token-empty");
    await page.getByRole("button", { name: "+ New room" }).click();
    await page.getByLabel("Room name").fill("team-alpha");
    await page.getByRole("button", { name: "Create room" }).click();
    await page.locator("#room-title", { hasText: "team-alpha" }).waitFor();
    await screenshot(page, "scoped-token-room");
  });
});
