/**
 * Browser-test fixtures: a real Parley server process serving the built app,
 * headless Debian Chromium, and helpers that read the message list the way a
 * user sees it (DOM rows with their seq and delivery state).
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { AxeBuilder } from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import { after, before } from "node:test";
import { ServerProcess } from "@parley/server/testing/server-process.js";

/** The built app (apps/web/dist), resolved from the compiled test file in apps/web/dist-e2e/. */
export const WEB_ROOT = fileURLToPath(new URL("../dist", import.meta.url));
/** Screenshots land in the repo's gitignored test-results/screenshots/. */
export const SHOTS = fileURLToPath(new URL("../../../test-results/screenshots/", import.meta.url));

const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Starts a dev-mode server on the built app; a short heartbeat lets clients notice a dead link in ~2.5 s. */
export function startServer(extraArgs: string[] = []): Promise<ServerProcess> {
  return ServerProcess.start({ args: ["--web-root", WEB_ROOT, "--heartbeat-ms", "1000", ...extraArgs] });
}

/** Headless Chromium from Debian (scripts/ensure-debian-packages.sh installs it). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", headless: true, args: CHROMIUM_ARGS });
}

/** A signed-in user in a browser context of their own. */
export interface User {
  name: string;
  context: BrowserContext;
  page: Page;
}

/** The browser context a user signs in from. */
export interface SignInOptions {
  viewport?: { width: number; height: number };
  /** A phone: touch events, no hover. */
  touch?: boolean;
  /** Sets up the fresh context before the page opens (permissions, init scripts). */
  prepare?: (context: BrowserContext) => Promise<void>;
}

/** Opens the app in a fresh context (set up by `prepare`), signs in as `name` (dev mode) and waits until #general is loaded. */
export async function signIn(
  browser: Browser,
  server: ServerProcess,
  name: string,
  options: SignInOptions = {},
): Promise<User> {
  return openSignedIn(browser, server, name, {
    ...options,
    fillForm: async (page) => {
      await page.getByLabel("Your name").fill(name);
      await page.getByRole("button", { name: "Sign in" }).click();
    },
  });
}

/** Like `signIn`, on a server that is not in dev mode: pastes `token` (a JWT for `name`). */
export function signInWithToken(browser: Browser, server: ServerProcess, name: string, token: string): Promise<User> {
  return openSignedIn(browser, server, name, {
    fillForm: async (page) => {
      await page.getByLabel("Access token (JWT)").fill(token);
      await page.getByRole("button", { name: "Sign in with token" }).click();
    },
  });
}

async function openSignedIn(
  browser: Browser,
  server: ServerProcess,
  name: string,
  opts: SignInOptions & { fillForm: (page: Page) => Promise<void> },
): Promise<User> {
  const context = await browser.newContext({
    viewport: opts.viewport ?? { width: 1100, height: 720 },
    ...(opts.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  await opts.prepare?.(context);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[${name}] page error: ${err.message}`));
  await page.goto(server.httpUrl);
  await opts.fillForm(page);
  await page.locator("#room-title").waitFor();
  await waitReady(page);
  return { name, context, page };
}

/** Waits until the open room's latest page is loaded and the connection is up. */
export async function waitReady(page: Page): Promise<void> {
  await page.locator('[data-testid="connection-banner"][data-state="connected"]').waitFor({ state: "attached" });
  await page.locator(".messages .loading").waitFor({ state: "detached" });
}

/** Types a message and presses Enter, as a user does. */
export async function send(page: Page, text: string): Promise<void> {
  const box = page.getByRole("textbox", { name: /^Message / });
  await box.fill(text);
  await box.press("Enter");
}

/**
 * Plays a conversation: each line is sent once the previous one is acked and shown to its
 * sender, because two users' publishes race each other (one user's own messages keep their
 * order regardless). Returns the texts in the room order this produces.
 */
export async function converse(script: ReadonlyArray<readonly [User, string]>, prefix: string): Promise<string[]> {
  const texts = script.map(([, t]) => t);
  for (const [i, [user, text]] of script.entries()) {
    await send(user.page, text);
    await expectConfirmed(user.page, prefix, texts.slice(0, i + 1));
  }
  return texts;
}

/** A rendered row. */
export interface Row {
  seq: number | undefined;
  text: string;
  state: string;
  from: string;
}

/** The message rows in display order. */
export function rows(page: Page): Promise<Row[]> {
  return page.$$eval("li.message", (items) =>
    items.map((li) => ({
      seq: li.getAttribute("data-seq") ? Number(li.getAttribute("data-seq")) : undefined,
      text: li.querySelector(".body")?.textContent ?? "",
      state: li.getAttribute("data-state") ?? "",
      from: li.querySelector(".sender")?.textContent ?? "",
    })),
  );
}

/** Polls until `check` passes (it throws assertion errors until then), or fails with its last error. */
/**
 * Clicks one of a message row's tools, which show while the row is hovered. On a loaded machine the row can
 * re-render or move from under the pointer between the hover and the click (an ack, a new message), and the
 * tool hides again: hover again until the click lands.
 */
export async function clickRowTool(row: Locator, name: string, timeoutMs = 30_000): Promise<void> {
  const button = row.getByRole("button", { name, exact: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await row.hover();
    try {
      await button.click({ timeout: 2_000 });
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
    }
  }
}

export async function eventually(check: () => Promise<void>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/**
 * Waits until the confirmed rows whose text starts with `prefix` are exactly `expected`, in that
 * order, each once, with strictly increasing seqs.
 */
export async function expectConfirmed(
  page: Page,
  prefix: string,
  expected: string[],
  timeoutMs?: number,
): Promise<void> {
  await eventually(async () => {
    const mine = (await rows(page)).filter((r) => r.text.startsWith(prefix));
    assert.deepEqual(
      mine.map((r) => r.text),
      expected,
    );
    assert.ok(
      mine.every((r) => r.state === "sent" && r.seq !== undefined),
      `not all confirmed: ${JSON.stringify(mine)}`,
    );
    const seqs = mine.map((r) => r.seq!);
    assert.deepEqual(
      seqs,
      [...seqs].sort((a, b) => a - b),
    );
    assert.equal(new Set(seqs).size, seqs.length);
  }, timeoutMs);
}

/** Every chat message of a room from the REST API, oldest first (the server's truth); receipts, edits and the like are not messages. */
export async function history(server: ServerProcess, room: string): Promise<{ seq: number; text: string }[]> {
  const out: { seq: number; text: string }[] = [];
  for (let after = 0; ;) {
    const res = await fetch(`${server.httpUrl}/v1/rooms/${room}/messages?after=${after}&limit=500`, {
      headers: { "x-parley-user": "auditor" },
    });
    const page = (await res.json()) as {
      events: { seq: number; kind: string; body: { text: string } }[];
      hasMore: boolean;
    };
    out.push(...page.events.filter((e) => e.kind === "message").map((e) => ({ seq: e.seq, text: e.body.text })));
    if (!page.hasMore || page.events.length === 0) return out;
    after = page.events.at(-1)!.seq;
  }
}

/** A REST call as a dev-mode user (a name) or with a JWT (`{ token }`), for setting up what a test then uses through the app. */
export async function rest(
  server: ServerProcess,
  as: string | { token: string },
  request: { method: string; path: string; body?: unknown },
): Promise<{ status: number; json: Record<string, unknown> }> {
  const auth: Record<string, string> =
    typeof as === "string" ? { "x-parley-user": as } : { authorization: `Bearer ${as.token}` };
  const res = await fetch(`${server.httpUrl}${request.path}`, {
    method: request.method,
    headers: { "content-type": "application/json", ...auth },
    body: request.body === undefined ? undefined : JSON.stringify(request.body),
  });
  return { status: res.status, json: (await res.json().catch(() => ({}))) as Record<string, unknown> };
}

/** Publishes through REST as `user` (a different path from the browsers' WebSockets). */
export async function restPublish(server: ServerProcess, room: string, user: string, text: string): Promise<number> {
  const body = { cmid: `rest-${text.replace(/\s/g, "_")}`, body: { text } };
  const res = await rest(server, user, { method: "POST", path: `/v1/rooms/${room}/messages`, body });
  if (res.status < 200 || res.status > 299)
    assert.fail(`POST ${room} as ${user}: ${res.status} ${JSON.stringify(res.json)}`);
  return res.json.seq as number;
}

/** Runs axe-core on the page as it is now: no serious or critical violation (each is listed when there is one). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map(
    (v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`,
  );
  assert.deepEqual(report, [], `axe on ${screen}`);
}

/** Saves a screenshot as test-results/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}

/** ann and bob signed in on one server and browser, opened before the file's tests and closed after them. */
export interface TwoUsers {
  server: ServerProcess;
  browser: Browser;
  ann: User;
  bob: User;
}

/** Registers the before/after hooks of a two-user browser test file; the fields are set once `before` ran. */
export function twoUsers(): TwoUsers {
  const s = {} as TwoUsers;
  before(async () => {
    s.server = await startServer();
    s.browser = await launchBrowser();
    s.ann = await signIn(s.browser, s.server, "ann");
    s.bob = await signIn(s.browser, s.server, "bob");
  });
  after(async () => {
    await s.browser?.close();
    await s.server?.cleanup();
  });
  return s;
}
