/**
 * Who sees Remove and Rename in a room's Members panel: whoever the server says moderates the room
 * (`moderator` of GET /v1/rooms/{room}: its creator, or a token with `delete_any` on it), the same
 * rule the server enforces. Dev mode grants every capability, so these users sign in with scoped
 * JWTs on a server that is not in dev mode.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Browser, Page } from "playwright-core";
import { mintToken } from "@parley/server";
import { ServerProcess } from "@parley/server/testing/server-process.js";
import { WEB_ROOT, expectAccessible, launchBrowser, rest, signInWithToken, waitReady, type User } from "./support.js";

const SECRET = "moderators-e2e-secret-0123456789abcdef";
const MEMBER = ["subscribe", "publish", "history", "presence", "react", "edit", "delete"] as const;
const ROOM = "crew-zq";

describe("moderators in the web app", () => {
  let server: ServerProcess;
  let browser: Browser;
  const tokens = new Map<string, string>();
  before(async () => {
    server = await ServerProcess.start({ dev: false, args: ["--web-root", WEB_ROOT, "--jwt-secret", SECRET] });
    browser = await launchBrowser();
    for (const [user, caps] of [
      ["bob", MEMBER],
      ["ann", MEMBER],
      ["mo", [...MEMBER, "delete_any"]],
    ] as const)
      tokens.set(user, await mintToken({ secret: SECRET, user, caps: { "*": [...caps] }, ttlSeconds: 600 }));
    assert.equal((await restAs("bob", "POST", "/v1/rooms", { id: ROOM, name: "Crew", type: "private" })).status, 201);
    for (const user of ["ann", "mo"])
      assert.equal((await restAs("bob", "POST", `/v1/rooms/${ROOM}/members`, { user })).status, 201);
  });
  after(async () => {
    await browser?.close();
    await server?.cleanup();
  });

  /** A REST call with `user`'s token. */
  const restAs = (user: string, method: string, path: string, body?: unknown) =>
    rest(server, { token: tokens.get(user) ?? "" }, { method, path, body });

  async function openCrew(user: string): Promise<User> {
    const u = await signInWithToken(browser, server, user, tokens.get(user) ?? "");
    await u.page.evaluate((id) => (location.hash = `#room=${encodeURIComponent(id)}`), ROOM);
    await u.page.locator("#room-title", { hasText: "Crew" }).waitFor();
    await waitReady(u.page);
    await u.page.getByRole("button", { name: "Members", exact: true }).click();
    await members(u.page).getByText("bob", { exact: true }).waitFor();
    return u;
  }
  const members = (page: Page) => page.getByRole("list", { name: "Members" });

  it("a member without delete_any sees neither Remove nor Rename; a delete_any holder removes her", async () => {
    const ann = await openCrew("ann");
    assert.equal(await ann.page.getByRole("button", { name: /^Remove / }).count(), 0, "ann does not moderate");
    assert.equal(await ann.page.getByRole("button", { name: "Rename" }).count(), 0);
    await expectAccessible(ann.page, "members panel (not a moderator)");

    const mo = await openCrew("mo");
    await mo.page.getByRole("button", { name: "Rename" }).waitFor();
    await mo.page.getByRole("button", { name: "Remove ann" }).click();
    await members(mo.page).getByText("ann", { exact: true }).waitFor({ state: "detached" });
    await ann.page.locator("#room-title", { hasText: "No access" }).waitFor();
  });
});
