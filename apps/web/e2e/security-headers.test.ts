/**
 * The app under its own Content-Security-Policy: the server sends the strict
 * headers, and a chat between two users (sign in, REST history, live delivery
 * over WebSocket, presence) plus the service worker's registration runs
 * without one CSP violation. A blocked inline script at the end proves the
 * violation listener was listening.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext } from "playwright-core";
import type { ServerProcess } from "@parley/server/testing/server-process.js";
import { converse, eventually, expectConfirmed, launchBrowser, signIn, startServer } from "./support.js";

declare global {
  interface Window {
    cspViolations: string[];
    inlineRan?: boolean;
  }
}

/** Records every CSP violation a page of `context` reports, from the event and from the console. */
function watchCsp(console: string[]) {
  return async (context: BrowserContext) => {
    await context.addInitScript(() => {
      window.cspViolations = [];
      document.addEventListener("securitypolicyviolation", (e) =>
        window.cspViolations.push(`${e.effectiveDirective} ${e.blockedURI}`),
      );
    });
    context.on("console", (msg) => {
      if (/Content Security Policy/i.test(msg.text())) console.push(msg.text());
    });
  };
}

describe("security headers", () => {
  let server: ServerProcess;
  let browser: Browser;
  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it("serves the app, its assets and the service worker with a strict CSP, no framing and no referrer", async () => {
    const page = await fetch(`${server.httpUrl}/`);
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(await page.text())![1]!;
    const host = new URL(server.httpUrl).host;
    for (const path of ["/", "/some/client/route", asset, "/sw.js"]) {
      const res = await fetch(`${server.httpUrl}${path}`);
      assert.equal(res.status, 200, path);
      const csp = res.headers.get("content-security-policy") ?? "";
      for (const directive of [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        `connect-src 'self' ws://${host} wss://${host}`,
        "frame-ancestors 'none'",
        "object-src 'none'",
      ]) {
        assert.ok(csp.split("; ").includes(directive), `${path}: ${directive} in ${csp}`);
      }
      assert.equal(res.headers.get("referrer-policy"), "no-referrer");
      assert.equal(res.headers.get("x-content-type-options"), "nosniff");
      assert.equal(res.headers.get("x-frame-options"), "DENY");
    }
  });

  it("runs a chat and registers the service worker without a CSP violation", async () => {
    const consoleReports: string[] = [];
    const [ann, bob] = [
      await signIn(browser, server, "ann", { prepare: watchCsp(consoleReports) }),
      await signIn(browser, server, "bob", { prepare: watchCsp(consoleReports) }),
    ];
    const texts = await converse(
      [
        [ann, "csp 1"],
        [bob, "csp 2"],
        [ann, "csp 3"],
      ],
      "csp ",
    );
    await expectConfirmed(bob.page, "csp ", texts);
    await bob.page.getByText("ann", { exact: true }).first().waitFor(); // presence, live over the WebSocket
    const registered = await ann.page.evaluate(async () => {
      await navigator.serviceWorker.register("/sw.js", { scope: "/" });
      return (await navigator.serviceWorker.ready).active?.scriptURL;
    });
    assert.equal(registered, `${server.httpUrl}/sw.js`);
    for (const user of [ann, bob]) assert.deepEqual(await user.page.evaluate(() => window.cspViolations), []);
    assert.deepEqual(consoleReports, []);

    // The listener works: an inline script is blocked and reported.
    const ran = await ann.page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.inlineRan = true";
      document.body.append(script);
      return window.inlineRan === true;
    });
    assert.equal(ran, false);
    await eventually(async () => {
      assert.deepEqual(await ann.page.evaluate(() => window.cspViolations), ["script-src-elem inline"]);
    });
    await Promise.all([ann.context.close(), bob.context.close()]);
  });
});
