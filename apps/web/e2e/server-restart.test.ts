import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { expectConfirmed, history, restPublish, screenshot, send, twoUsers, type User } from "./support.js";

const s = twoUsers();

const banner = (user: User) => user.page.locator('[data-testid="connection-banner"]');

/** Counts the page's SSE stream requests from now on; `third` resolves at its third WebSocket open. */
function countOpens(user: User): { sse: number; third: Promise<void> } {
  const counts = { sse: 0, third: Promise.resolve() };
  let websockets = 0;
  counts.third = new Promise((resolve) =>
    user.page.on("websocket", () => {
      if (++websockets === 3) resolve();
    }),
  );
  user.page.on("request", (req) => {
    if (new URL(req.url()).pathname === "/v1/sse") counts.sse++;
  });
  return counts;
}

describe("the server is killed and restarted", () => {
  it("both pages say so, resume, and miss nothing published meanwhile through REST", async () => {
    await send(s.ann.page, "before 1");
    await expectConfirmed(s.bob.page, "before ", ["before 1"]);

    const opens = [s.ann, s.bob].map(countOpens);
    await s.server.kill9();
    for (const user of [s.ann, s.bob])
      await banner(user)
        .getByText(/Connection lost|Reconnecting/)
        .waitFor();
    await screenshot(s.bob.page, "server-down-banner");
    await send(s.ann.page, "during 1"); // waits in ann's outbox
    // A down server is not a blocked WebSocket: refused opens keep the app on WebSocket.
    await Promise.all(opens.map((o) => o.third)); // three refused opens: past the old rule of two
    assert.deepEqual(
      opens.map((o) => o.sse),
      [0, 0],
      "no SSE attempt while the server is down",
    );

    await s.server.restart();
    assert.equal(s.server.port !== 0, true);
    const rest = ["rest 1", "rest 2", "rest 3"];
    for (const text of rest) await restPublish(s.server, "general", "carol", text);

    for (const user of [s.ann, s.bob]) {
      await expectConfirmed(user.page, "rest ", rest, 40_000);
      await expectConfirmed(user.page, "during ", ["during 1"], 40_000);
      await expectConfirmed(user.page, "before ", ["before 1"]);
      await banner(user).and(user.page.locator('[data-state="connected"]')).waitFor({ state: "attached" });
    }
    assert.deepEqual(
      opens.map((o) => o.sse),
      [0, 0],
      "back over WebSocket, never over SSE",
    );
    const stored = (await history(s.server, "general")).map((m) => m.text);
    for (const user of [s.ann, s.bob]) {
      const shown = (await user.page.$$eval("li.message .body", (els) => els.map((e) => e.textContent))).filter(
        Boolean,
      );
      assert.deepEqual(shown, stored, `${user.name} shows exactly the stored history, in order`);
    }
  });
});
