import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, WebSocketRoute } from "playwright-core";
import type { ServerProcess } from "@parley/server/test-support/server-process.js";
import {
  expectConfirmed,
  history,
  launchBrowser,
  rows,
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

type Mode = "pass" | "drop-acks" | "blackhole";

describe("the IndexedDB outbox across a page reload", () => {
  it("delivers each unacked message exactly once: acks lost, and never sent at all", async () => {
    // Every socket of ann's context goes through this proxy; its mode applies to sockets opened after a switch.
    let mode: Mode = "pass";
    await ann.context.routeWebSocket(/\/v1\/ws$/, (ws: WebSocketRoute) => {
      if (mode === "blackhole") return; // accepted by the browser, never answered: connect times out
      const server = ws.connectToServer();
      const dropAcks = mode === "drop-acks";
      server.onMessage((m) => {
        if (dropAcks && String(m).includes('"t":"ack"')) return; // stored by the server, never confirmed
        ws.send(m);
      });
    });
    mode = "drop-acks";
    await ann.page.reload();
    await ann.page.locator('[data-testid="connection-banner"][data-state="connected"]').waitFor({ state: "attached" });
    await send(ann.page, "reload 1");
    await send(ann.page, "reload 2");
    // Stored and fanned out (bob sees them), but ann never got the acks.
    await expectConfirmed(bob.page, "reload ", ["reload 1", "reload 2"]);

    mode = "blackhole";
    await ann.page.reload();
    await send(ann.page, "reload 3");
    await ann.page.locator("li.message", { hasText: "reload 3" }).waitFor();
    const pending = (await rows(ann.page)).filter((r) => r.text.startsWith("reload "));
    assert.ok(
      pending.some((r) => r.text === "reload 3" && r.seq === undefined),
      JSON.stringify(pending),
    );
    await screenshot(ann.page, "outbox-before-reload");

    mode = "pass";
    await ann.page.reload();
    const texts = ["reload 1", "reload 2", "reload 3"];
    await expectConfirmed(ann.page, "reload ", texts, 30_000);
    await expectConfirmed(bob.page, "reload ", texts);
    assert.deepEqual(
      (await history(server, "general")).filter((m) => m.text.startsWith("reload ")).map((m) => m.text),
      texts,
    );
    assert.equal(
      await ann.page.evaluate(() => document.querySelectorAll('li.message:not([data-state="sent"])').length),
      0,
    );
  });
});
