// Browsers whose WebSocket does not work (absent, or broken by a proxy): the app connects over SSE + POST and users still chat.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, BrowserContext, WebSocketRoute } from "playwright-core";
import type { ServerProcess } from "@parley/server/testing/server-process.js";
import { converse, expectConfirmed, history, launchBrowser, signIn, startServer, type User } from "./support.js";

/** Removes WebSocket before any page script runs. */
async function withoutWebSocket(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    delete (window as { WebSocket?: unknown }).WebSocket;
  });
}

/** Every WebSocket to /v1/ws is closed before a frame passes, as by a proxy that breaks WebSockets. */
async function withBrokenWebSocket(context: BrowserContext): Promise<void> {
  await context.routeWebSocket(/\/v1\/ws$/, (ws: WebSocketRoute) => void ws.close({ code: 1011, reason: "proxy" }));
}

/** The server's open-connection gauge by transport, from /metrics. */
async function openConnections(server: ServerProcess): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.httpUrl}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const [, transport, value] of text.matchAll(/^parley_connections\{transport="(\w+)"\} (\d+)$/gm)) {
    out[transport!] = Number(value);
  }
  return out;
}

describe("no WebSocket in the browser", () => {
  let server: ServerProcess;
  let browser: Browser;
  let ann: User;
  let bob: User;

  before(async () => {
    server = await startServer();
    browser = await launchBrowser();
    ann = await signIn(browser, server, "ann", { prepare: withoutWebSocket });
    bob = await signIn(browser, server, "bob", { prepare: withoutWebSocket });
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  it("two users chat over SSE + POST, in order, for both", async () => {
    assert.equal(await ann.page.evaluate(() => typeof (window as { WebSocket?: unknown }).WebSocket), "undefined");
    const script: [User, string][] = [
      [ann, "sse 1"],
      [bob, "sse 2"],
      [ann, "sse 3"],
      [bob, "sse 4"],
      [ann, "sse 5"],
    ];
    const texts = await converse(script, "sse ");
    await expectConfirmed(ann.page, "sse ", texts);
    await expectConfirmed(bob.page, "sse ", texts);
    assert.deepEqual(
      (await history(server, "general")).filter((m) => m.text.startsWith("sse ")).map((m) => m.text),
      texts,
    );
    const open = await openConnections(server);
    assert.ok((open.sse ?? 0) >= 2, `both users on SSE: ${JSON.stringify(open)}`);
    assert.equal(open.websocket ?? 0, 0, `no WebSocket connection: ${JSON.stringify(open)}`);
  });

  it("a WebSocket that a proxy breaks before any frame falls back to SSE, and chat goes on", async () => {
    const cy = await signIn(browser, server, "cy", { prepare: withBrokenWebSocket });
    const texts = await converse(
      [
        [cy, "broken 1"],
        [ann, "broken 2"],
        [cy, "broken 3"],
      ],
      "broken ",
    );
    await expectConfirmed(cy.page, "broken ", texts);
    await expectConfirmed(ann.page, "broken ", texts);
    const open = await openConnections(server);
    assert.ok((open.sse ?? 0) >= 3, `cy on SSE too: ${JSON.stringify(open)}`);
    assert.equal(open.websocket ?? 0, 0, `no WebSocket connection: ${JSON.stringify(open)}`);
  });
});
