import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser } from "playwright-core";
import type { ServerProcess } from "@parley/server/testing/server-process.js";
import {
  history,
  launchBrowser,
  restPublish,
  rows,
  screenshot,
  send,
  signIn,
  startServer,
  type User,
} from "./support.js";

const TOTAL = 260;
let server: ServerProcess;
let browser: Browser;
let ann: User;

before(async () => {
  server = await startServer(["--publish-rate-per-user", "100000", "--publish-rate-per-connection", "100000"]);
  browser = await launchBrowser();
  const res = await fetch(`${server.httpUrl}/v1/rooms`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-user": "seed" },
    body: JSON.stringify({ id: "general", type: "public", name: "general" }),
  });
  assert.equal(res.status, 201);
  for (let i = 1; i <= TOTAL; i++) await restPublish(server, "general", i % 3 === 0 ? "zoe" : "seed", `old ${i}`);
  ann = await signIn(browser, server, "ann");
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe("infinite scroll", () => {
  it("loads older pages as you scroll up, with no duplicate and no hole, and records time to first message", async () => {
    const firstMessageMs = await ann.page.evaluate(
      () => performance.getEntriesByName("parley:first-message")[0]?.startTime,
    );
    console.log(`# time from navigation start to first message rendered: ${Math.round(firstMessageMs ?? -1)} ms`);
    assert.ok(firstMessageMs !== undefined);
    const pane = ann.page.getByTestId("messages");
    await send(ann.page, "live 1"); // a live event merged with the pages read before and after it
    // Keep scrolling up like a reader would until the start shows (each scroll near the top loads a page;
    // on a loaded machine a page can take longer than one pause, so the loop is bounded by time, not count).
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      if (await ann.page.getByText("This is the start of the room.").isVisible()) break;
      await pane.evaluate((el) => el.scrollTo(0, 0));
      await ann.page.waitForTimeout(150);
    }
    await ann.page.getByText("This is the start of the room.").waitFor();
    await screenshot(ann.page, "history-top");
    const shown = await rows(ann.page);
    const seqs = shown.map((r) => r.seq);
    // Seq 1 is the room's creation (a system event since the per-user channel): the seeded messages follow it,
    // one seq each, with no hole.
    assert.deepEqual(
      seqs.slice(0, TOTAL),
      Array.from({ length: TOTAL }, (_, i) => i + 2),
    );
    // Exactly the stored chat messages (ann's read receipts are events too, but not rows).
    assert.deepEqual(
      seqs,
      (await history(server, "general")).map((m) => m.seq),
    );
    assert.deepEqual(
      shown.slice(0, TOTAL).map((r) => r.text),
      Array.from({ length: TOTAL }, (_, i) => `old ${i + 1}`),
    );
    assert.equal(shown.at(-1)!.text, "live 1");
  });

  it("keeps the reader's place and shows a pill for new messages while scrolled up", async () => {
    const pane = ann.page.getByTestId("messages");
    await pane.evaluate((el) => el.scrollTo(0, 400));
    const before = await pane.evaluate((el) => el.scrollTop);
    await restPublish(server, "general", "zoe", "while away 1");
    await restPublish(server, "general", "zoe", "while away 2");
    await ann.page.getByRole("button", { name: "2 new messages ↓" }).waitFor();
    // Not yanked to the bottom: the reader stays where they were (give or take a line of reflow).
    assert.ok(Math.abs((await pane.evaluate((el) => el.scrollTop)) - before) < 60);
    const fromBottom = await pane.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    assert.ok(fromBottom > 1_000, `only ${fromBottom}px from the bottom`);
    await screenshot(ann.page, "new-messages-pill");
    await ann.page.getByRole("button", { name: "2 new messages ↓" }).click();
    await ann.page.getByText("while away 2").waitFor();
    assert.ok(await pane.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight < 50));
  });
});
