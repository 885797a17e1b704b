// Far back in a long room: a thread whose parent is 300+ messages back opens with the parent and
// its replies without the room in between being loaded (a reply edited and reacted to pages
// after it shows its current text and reaction), and live replies still arrive.
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { eventually, screenshot, twoUsers } from "./support.js";

const s = twoUsers();
const ROOM = `farback-${Date.now().toString(36)}`;

async function post(user: string, body: Record<string, unknown>, cmid: string, kind = "message"): Promise<number> {
  const res = await fetch(`${s.server.httpUrl}/v1/rooms/${ROOM}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-parley-user": user },
    body: JSON.stringify({ cmid, kind, body }),
  });
  if (!res.ok) assert.fail(`POST as ${user}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { seq: number }).seq;
}

interface HistoryFrame {
  t: string;
  room: string;
  before?: number;
  after?: number;
}

/** The `history` frames of the room that a page sends from now on. */
function historyFrames(page: Page): HistoryFrame[] {
  const frames: HistoryFrame[] = [];
  page.on("websocket", (ws) =>
    ws.on("framesent", ({ payload }) => {
      const frame = JSON.parse(String(payload)) as HistoryFrame;
      if (frame.t === "history" && frame.room === ROOM) frames.push(frame);
    }),
  );
  return frames;
}

/** Searches for `q` and opens the one hit. */
async function jumpTo(page: Page, q: string): Promise<void> {
  await page.getByRole("searchbox", { name: "Search messages" }).fill(q);
  const hit = page.getByRole("region", { name: "Search results" }).locator(".search-hit");
  await eventually(async () => assert.equal(await hit.count(), 1));
  await hit.click();
  await page.locator("#room-title", { hasText: ROOM }).waitFor();
}

describe("far back in a long room", () => {
  let parent = 0;
  let narwhal = 0;
  before(async () => {
    parent = await post("bob", { text: "walrus question" }, "parent");
    const early = await post("bob", { text: "early answer", replyTo: parent }, "early");
    for (let i = 0; i < 320; i++) {
      const seq = await post(i % 2 ? "bob" : "cat", { text: i === 100 ? "narwhal sighting" : `filler ${i}` }, `f-${i}`);
      if (i === 100) narwhal = seq;
      // Four pages after the reply and two before the newest: in none of the pages the thread reads.
      if (i === 200) {
        await post("bob", { target: early, text: "early answer, corrected" }, "early-edit", "edit");
        await post("cat", { target: early, emoji: "🦭", op: "add" }, "early-react", "reaction");
      }
    }
    await post("cat", { text: "late answer", replyTo: parent }, "late");
    for (let i = 0; i < 10; i++) await post("cat", { text: `recent ${i}` }, `recent-${i}`);
  });

  it("a search hit far back opens the room at the page around it, with a gap to the newest", async () => {
    const page = s.bob.page;
    const frames = historyFrames(page);
    await page.reload();
    await page.locator("#room-title").waitFor();
    await jumpTo(page, "narwhal");
    await page.locator(`li.message.focused[data-seq="${narwhal}"]`).waitFor();
    assert.ok(frames.length <= 2, `${frames.length} history reads: ${JSON.stringify(frames)}`);
    const seqs = async () =>
      (
        await page.locator(".conversation li.message").evaluateAll((els) => els.map((e) => e.getAttribute("data-seq")))
      ).map(Number);
    const shown = await seqs();
    assert.ok(shown.includes(narwhal - 10) && shown.includes(narwhal + 10), "the page around the hit");
    assert.ok(shown.at(-1)! > narwhal + 200, "and the newest messages");
    const gap = page.getByRole("listitem", { name: "Newer messages not loaded" });
    await gap.waitFor();
    await screenshot(page, "search-jump-far-back");

    // A live message after the jump joins the newest run; the page around the hit stays.
    const live = await post("cat", { text: "live after the jump" }, "live-jump");
    await page.locator(`li.message[data-seq="${live}"]`).waitFor();
    assert.ok((await seqs()).includes(narwhal), "the jumped-to page is still there");
    assert.equal(frames.length, 2, "a live message needs no read");

    const before = (await seqs()).length;
    await gap.getByRole("button", { name: "Load newer messages" }).click();
    await eventually(async () => assert.ok((await seqs()).length > before));
    assert.equal(frames.length, 3, "one read per click");
    for (let i = 0; i < 8 && (await gap.count()) > 0; i++) {
      await gap.getByRole("button", { name: "Load newer messages" }).click();
      await page.waitForTimeout(200);
    }
    await eventually(async () => assert.equal(await gap.count(), 0, "the gap closes"));
    const all = await seqs();
    assert.deepEqual(
      all,
      [...all].sort((a, b) => a - b),
    );
    assert.equal(new Set(all).size, all.length, "no message twice");
  });

  it("a thread whose parent is 300+ messages back shows the parent and every reply as it is now, not the room between", async () => {
    const page = s.ann.page;
    const frames = historyFrames(page);
    await page.reload(); // so the WebSocket is watched from its first frame
    await page.locator("#room-title").waitFor();
    await jumpTo(page, "walrus");
    const parentRow = page.locator(`li.message[data-seq="${parent}"]`);
    await parentRow.waitFor();
    assert.ok(frames.length <= 2, `the jump read ${frames.length} history pages`);
    const before = frames.length;
    await parentRow.getByRole("button", { name: "2 replies" }).click();

    const thread = page.getByTestId("thread");
    await thread.locator(".thread-parent", { hasText: "walrus question" }).waitFor();
    const replies = thread.locator("li.message");
    await eventually(async () =>
      assert.deepEqual(await replies.locator(".body").allInnerTexts(), [
        "early answer, corrected (edited)",
        "late answer",
      ]),
    );
    const reaction = replies.first().getByRole("button", { name: "🦭 1: cat" });
    await reaction.waitFor();
    const threadFrames = frames.slice(before);
    assert.ok(threadFrames.length <= 2, `the thread read ${threadFrames.length} history pages`);
    await screenshot(page, "thread-far-back");

    await post("bob", { text: "live answer", replyTo: parent }, "live");
    await eventually(async () =>
      assert.deepEqual(await replies.locator(".body").allInnerTexts(), [
        "early answer, corrected (edited)",
        "late answer",
        "live answer",
      ]),
    );
    assert.equal(frames.length - before, threadFrames.length, "a live reply needs no read");
  });
});
