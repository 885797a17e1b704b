import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { launchBrowser } from "./support.js";

describe("parley start without --web-root", () => {
  let server: ServerProcess | undefined;
  after(() => server?.cleanup());

  it("serves the monorepo's built web app (apps/web/dist) at / and says so at startup", async () => {
    server = await ServerProcess.start();
    assert.match(server.output(), /serving the web app found beside the server/);
    const res = await fetch(`${server.httpUrl}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /text\/html/);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage();
      await page.goto(server.httpUrl);
      await page.getByLabel("Your name").waitFor();
    } finally {
      await browser.close();
    }
  });
});
