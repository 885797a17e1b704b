// Refused changes are visible: on a JWT server where bob's token lacks `edit` and `delete`, his
// edit and delete are refused (FORBIDDEN); he sees a dismissible notice on the message, and ann
// never sees the change.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Locator } from "playwright-core";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { mintTestToken } from "@parley/server/testing/tokens.js";
import {
  WEB_ROOT,
  clickRowTool,
  eventually,
  launchBrowser,
  screenshot,
  send,
  signInWithToken,
  type User,
} from "./support.js";

const SECRET = "refusals-test-secret-0123456789abcdef";
const BOB_CAPS = { "*": ["subscribe", "publish", "presence", "history", "react"] };

let server: ServerProcess;
let browser: Browser;
let ann: User;
let bob: User;
let annToken: string;

function row(u: User, text: string): Locator {
  return u.page.locator(".conversation li.message[data-state='sent']", { hasText: text });
}

function tool(u: User, text: string, name: string): Promise<void> {
  return clickRowTool(row(u, text), name);
}

before(async () => {
  server = await ServerProcess.start({
    dev: false,
    args: ["--web-root", WEB_ROOT, "--heartbeat-ms", "1000", "--jwt-secret", SECRET],
  });
  browser = await launchBrowser();
  annToken = await mintTestToken(SECRET, "ann");
  ann = await signInWithToken(browser, server, "ann", annToken);
  bob = await signInWithToken(browser, server, "bob", await mintTestToken(SECRET, "bob", BOB_CAPS));
});
after(async () => {
  await browser?.close();
  await server?.cleanup();
});

describe("refused changes", () => {
  it("an edit the token does not allow shows a notice to its author and never reaches the other user", async () => {
    await send(bob.page, "bob wrote this");
    await row(ann, "bob wrote this").waitFor();
    const seq = Number(await row(bob, "bob wrote this").getAttribute("data-seq"));
    await tool(bob, "bob wrote this", "Edit");
    const box = bob.page.getByRole("textbox", { name: "Edit message" });
    await box.fill("bob edited anyway");
    await box.press("Enter");
    const notice = row(bob, "bob wrote this").locator(".refusal");
    await notice.waitFor();
    assert.equal(await notice.getAttribute("data-code"), "FORBIDDEN");
    assert.match(await notice.innerText(), /Couldn't edit: you may not edit messages in this room/);
    assert.equal(await bob.page.getByText("bob edited anyway").count(), 0, "the refused text is gone for bob");
    await screenshot(bob.page, "refused-edit");

    // Bob's next message reaches ann after the refused edit would have: she has seen everything by then.
    await send(bob.page, "bob after the refusal");
    await row(ann, "bob after the refusal").waitFor();
    assert.equal(await ann.page.getByText("bob edited anyway").count(), 0);
    assert.equal(await row(ann, "bob wrote this").locator(".refusal").count(), 0, "no notice for ann");
    const edits = await fetch(`${server.httpUrl}/v1/rooms/general/messages/${seq}/edits`, {
      headers: { authorization: `Bearer ${annToken}` },
    });
    assert.equal(edits.status, 200);
    assert.doesNotMatch(await edits.text(), /edited anyway/, "the server stored no edit");

    await notice.getByRole("button", { name: "Dismiss" }).click();
    await eventually(async () => assert.equal(await row(bob, "bob wrote this").locator(".refusal").count(), 0));
  });

  it("a refused delete leaves the message for everyone, with a notice for its author", async () => {
    await send(bob.page, "bob keeps this");
    await row(ann, "bob keeps this").waitFor();
    await tool(bob, "bob keeps this", "Delete");
    await bob.page.getByRole("group", { name: "Delete this message?" }).getByRole("button", { name: "Delete" }).click();
    const notice = row(bob, "bob keeps this").locator(".refusal");
    await notice.waitFor();
    assert.match(await notice.innerText(), /Couldn't delete: you may not delete messages in this room/);
    await send(bob.page, "bob after the delete");
    await row(ann, "bob after the delete").waitFor();
    assert.equal(await row(ann, "bob keeps this").count(), 1);
    assert.equal(await ann.page.locator("li.message[data-deleted]").count(), 0);
  });
});
