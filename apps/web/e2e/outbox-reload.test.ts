import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { WebSocketRoute } from "playwright-core";
import { expectConfirmed, history, rows, screenshot, send, twoUsers } from "./support.js";

const s = twoUsers();

type Mode = "pass" | "drop-acks" | "blackhole";

describe("the IndexedDB outbox across a page reload", () => {
  it("delivers each unacked message exactly once: acks lost, and never sent at all", async () => {
    // Every socket of ann's context goes through this proxy; its mode applies to sockets opened after a switch.
    let mode: Mode = "pass";
    await s.ann.context.routeWebSocket(/\/v1\/ws$/, (ws: WebSocketRoute) => {
      if (mode === "blackhole") return; // accepted by the browser, never answered: connect times out
      const upstream = ws.connectToServer();
      const dropAcks = mode === "drop-acks";
      upstream.onMessage((m) => {
        if (dropAcks && String(m).includes('"t":"ack"')) return; // stored by the server, never confirmed
        ws.send(m);
      });
    });
    mode = "drop-acks";
    await s.ann.page.reload();
    await s.ann.page
      .locator('[data-testid="connection-banner"][data-state="connected"]')
      .waitFor({ state: "attached" });
    await send(s.ann.page, "reload 1");
    await send(s.ann.page, "reload 2");
    // reload 1 is stored and fanned out (bob sees it), but ann never gets its ack. reload 2 waits behind it:
    // the outbox keeps one message of a room on the wire, so a later one can never be stored before an earlier one.
    await expectConfirmed(s.bob.page, "reload ", ["reload 1"]);
    const waiting = (await rows(s.ann.page)).filter((r) => r.text.startsWith("reload "));
    assert.ok(
      waiting.some((r) => r.text === "reload 2" && r.seq === undefined),
      JSON.stringify(waiting),
    );

    mode = "blackhole";
    await s.ann.page.reload();
    await send(s.ann.page, "reload 3");
    await s.ann.page.locator("li.message", { hasText: "reload 3" }).waitFor();
    const pending = (await rows(s.ann.page)).filter((r) => r.text.startsWith("reload "));
    assert.ok(
      pending.some((r) => r.text === "reload 3" && r.seq === undefined),
      JSON.stringify(pending),
    );
    await screenshot(s.ann.page, "outbox-before-reload");

    mode = "pass";
    await s.ann.page.reload();
    const texts = ["reload 1", "reload 2", "reload 3"];
    await expectConfirmed(s.ann.page, "reload ", texts, 30_000);
    await expectConfirmed(s.bob.page, "reload ", texts);
    assert.deepEqual(
      (await history(s.server, "general")).filter((m) => m.text.startsWith("reload ")).map((m) => m.text),
      texts,
    );
    assert.equal(
      await s.ann.page.evaluate(() => document.querySelectorAll('li.message:not([data-state="sent"])').length),
      0,
    );
  });
});
