/**
 * Chat reads against a real server (JWT auth): the `unread` and `search`
 * frames and the REST routes for unread, search, edit history and threads,
 * all fed by events published with `pub` (the projection is written in the
 * embedded log's commit, so a read right after the ack sees it).
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { ErrorFrame, Json } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import { mintTestToken } from "../support/tokens.js";
import { serverSuite, uniqueCmid, uniqueRoom } from "../support/fixtures.js";

const SECRET = "chat-reads-secret-0123456789abcdef";
const pid = process.pid;

function mint(user: string, caps?: Record<string, string[]>): Promise<string> {
  return mintTestToken(SECRET, user, caps);
}

async function send(c: RawClient, room: string, kind: string, body: Json): Promise<number> {
  return (await c.expect({ t: "pub", room, cmid: uniqueCmid(), kind, body }, "ack")).seq;
}

describe("chat reads", () => {
  const suite = serverSuite({ dev: false, args: ["--jwt-secret", SECRET] });
  const it = suite.it;
  const get = async (path: string, user: string, caps?: Record<string, string[]>) => {
    const res = await fetch(`${suite.server.httpUrl}${path}`, {
      headers: { authorization: `Bearer ${await mint(user, caps)}` },
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it("unread over WS and REST: receipts, mentions, deletes; capabilities filter rooms", async (pool) => {
    const [ann, bob] = [`ann-${pid}`, `bob-${pid}`];
    const room = uniqueRoom("unread");
    const a = await pool.connect({ token: await mint(ann) });
    const b = await pool.connect({ token: await mint(bob) });
    await send(a, room, "message", { text: "one" });
    const mention = await send(a, room, "message", { text: `hey @${bob}` });
    await send(b, room, "receipt", { upTo: 1 });
    const frame = await b.expect({ t: "unread" }, "unread");
    assert.deepEqual(
      frame.rooms.find((r) => r.room === room),
      { room, lastRead: 1, lastSeq: 3, unread: 1, mentions: 1 },
    );
    await send(a, room, "delete", { target: mention });
    const rest = await get("/v1/unread", bob);
    assert.equal(rest.status, 200);
    const rows = rest.body.rooms as { room: string }[];
    assert.deepEqual(
      rows.find((r) => r.room === room),
      { room, lastRead: 1, lastSeq: 4, unread: 0, mentions: 0 },
    );
    const limited = await get("/v1/unread", bob, { "other-*": ["*"] });
    assert.deepEqual(limited.body.rooms, []);
  });

  it("search over WS and REST: edits replace text, deletes remove it; odd input never fails", async (pool) => {
    const ann = `ann-${pid}`;
    const room = uniqueRoom("search");
    const tag = `kw${pid}q${Date.now().toString(36)}`;
    const a = await pool.connect({ token: await mint(ann) });
    const first = await send(a, room, "message", { text: `first ${tag}` });
    const second = await send(a, room, "message", { text: `second ${tag}` });
    await send(a, room, "edit", { target: first, text: `first ${tag} edited` });
    const hits = (await a.expect({ t: "search", q: tag }, "search")).hits;
    assert.deepEqual(
      hits.map((h) => [h.seq, h.text]),
      [
        [second, `second ${tag}`],
        [first, `first ${tag} edited`],
      ],
    );
    await send(a, room, "delete", { target: second });
    const rest = await get(`/v1/search?q=${encodeURIComponent(`${tag}`)}&room=${room}`, ann);
    assert.deepEqual(
      (rest.body.hits as { seq: number }[]).map((h) => h.seq),
      [first],
    );
    for (const q of [`"${tag}`, `${tag}*`, "NEAR(", "a OR", "\\'", "%", "::"]) {
      const reply = await a.expect({ t: "search", q }, "search");
      assert.ok(Array.isArray(reply.hits), q);
      assert.equal((await get(`/v1/search?q=${encodeURIComponent(q)}`, ann)).status, 200, q);
    }
    assert.equal((await get("/v1/search?q=", ann)).status, 400);
  });

  it("search refuses a query it cannot match whole (17 words, a 65-character word) instead of dropping words", async (pool) => {
    const ann = `ann-${pid}`;
    const a = await pool.connect({ token: await mint(ann) });
    const words = Array.from({ length: 16 }, (_, i) => `w${i}`);
    const tooMany = [...words, "w16"].join(" ");
    for (const q of [tooMany, "x".repeat(65)]) {
      const refused = await a.request({ t: "search", q });
      assert.deepEqual([refused.t, (refused as ErrorFrame).code], ["error", "BAD_FRAME"], q);
      const rest = await get(`/v1/search?q=${encodeURIComponent(q)}`, ann);
      assert.deepEqual([rest.status, (rest.body.error as { code: string }).code], [400, "BAD_REQUEST"], q);
    }
    assert.ok(Array.isArray((await a.expect({ t: "search", q: words.join(" ") }, "search")).hits), "16 words");
    assert.equal((await get(`/v1/search?q=${"x".repeat(64)}`, ann)).status, 200, "a 64-character word");
  });

  it("search skips rooms the token may not read; a named room needs history", async (pool) => {
    const ann = `ann-${pid}`;
    const [open, hidden] = [uniqueRoom("visible"), uniqueRoom("hidden")];
    const tag = `cap${pid}z${Date.now().toString(36)}`;
    const a = await pool.connect({ token: await mint(ann) });
    await send(a, open, "message", { text: `${tag} visible` });
    await send(a, hidden, "message", { text: `${tag} hidden` });
    const reader = await pool.connect({ token: await mint(`rex-${pid}`, { [open]: ["history"] }) });
    const hits = (await reader.expect({ t: "search", q: tag }, "search")).hits;
    assert.deepEqual(
      hits.map((h) => h.room),
      [open],
    );
    const denied = await reader.request({ t: "search", q: tag, room: hidden });
    assert.equal((denied as ErrorFrame).code, "FORBIDDEN");
  });

  it("REST edit history and thread, with authorization like history", async (pool) => {
    const ann = `ann-${pid}`;
    const room = uniqueRoom("thread");
    const a = await pool.connect({ token: await mint(ann) });
    const root = await send(a, room, "message", { text: "root" });
    const edit = await send(a, room, "edit", { target: root, text: "root v2" });
    const replies = [];
    for (let i = 0; i < 3; i++) replies.push(await send(a, room, "message", { text: `re ${i}`, replyTo: root }));
    await send(a, room, "delete", { target: replies[0]! });
    const edits = await get(`/v1/rooms/${room}/messages/${root}/edits`, ann);
    assert.deepEqual(
      (edits.body.edits as { seq: number; body: Json }[]).map((e) => [e.seq, e.body]),
      [[edit, { target: root, text: "root v2" }]],
    );
    const page = await get(`/v1/rooms/${room}/messages/${root}/thread?limit=2`, ann);
    assert.equal(page.body.count, 2);
    assert.equal(page.body.hasMore, true);
    assert.deepEqual(
      (page.body.replies as { seq: number; body: Json }[]).map((e) => [e.seq, e.body]),
      [
        [replies[0], { deleted: true }],
        [replies[1], { text: "re 1", replyTo: root }],
      ],
    );
    const rest = await get(`/v1/rooms/${room}/messages/${root}/thread?after=${replies[1]}`, ann);
    assert.deepEqual(
      (rest.body.replies as { seq: number }[]).map((e) => e.seq),
      [replies[2]],
    );
    assert.equal((await get(`/v1/rooms/${room}/messages/0/thread`, ann)).status, 400);
    assert.equal((await get(`/v1/rooms/${room}/messages/${root}/edits`, ann, { x: ["*"] })).status, 403);
  });
});
