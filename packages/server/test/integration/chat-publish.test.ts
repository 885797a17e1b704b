/**
 * The gateway's chat rules (docs/chat.md, "Event kinds") against a real
 * server with JWT auth: body shapes, the capability each kind needs, targets
 * and authorship, over WebSocket and REST (both go through chat/publish-rules.ts).
 */
import { describe } from "node:test";
import assert from "node:assert/strict";
import type { ErrorFrame, Json, ServerFrame } from "@parley/protocol";
import type { RawClient } from "../support/raw-client.js";
import { mintTestToken } from "../support/tokens.js";
import { serverSuite, subscribe, uniqueCmid, uniqueRoom } from "../support/fixtures.js";

const SECRET = "chat-rules-secret-0123456789abcdef";

function mint(user: string, caps?: Record<string, string[]>): Promise<string> {
  return mintTestToken(SECRET, user, caps);
}

/** Publishes `kind`/`body` and returns the reply (an ack or an error). */
function pub(c: RawClient, room: string, kind: string, body: Json): Promise<ServerFrame> {
  return c.request({ t: "pub", room, cmid: uniqueCmid(), kind, body });
}

/** The error code of a reply, or "ack". */
function outcome(reply: ServerFrame): string {
  return reply.t === "error" ? (reply as ErrorFrame).code : reply.t;
}

async function seqOf(c: RawClient, room: string, kind: string, body: Json): Promise<number> {
  const reply = await pub(c, room, kind, body);
  assert.equal(reply.t, "ack", JSON.stringify(reply));
  return (reply as { seq: number }).seq;
}

describe("chat publish rules", () => {
  const suite = serverSuite({ dev: false, args: ["--jwt-secret", SECRET] });
  const it = suite.it;
  const pid = process.pid;

  it("BAD_EVENT for malformed chat bodies and the server-only kind; app kinds pass", async (pool) => {
    const room = uniqueRoom("shape");
    const c = await pool.connect({ token: await mint(`ann-${pid}`) });
    await seqOf(c, room, "message", { text: "hello" });
    const bad: [string, Json][] = [
      ["message", { text: 5 }],
      ["edit", { target: 1 }],
      ["edit", { target: 0, text: "x" }],
      ["delete", { target: 1, extra: true }],
      ["reaction", { target: 1, emoji: "👍", op: "toggle" }],
      ["receipt", { upTo: -1 }],
      ["system", { text: "spoof" }],
    ];
    for (const [kind, body] of bad) assert.equal(outcome(await pub(c, room, kind, body)), "BAD_EVENT", kind);
    assert.equal(outcome(await pub(c, room, "app.vote", { anything: [1, 2] })), "ack");
    assert.equal(outcome(await pub(c, room, "message", "free-form")), "ack");
  });

  it("a token with only publish cannot edit, delete, react or send receipts", async (pool) => {
    const room = uniqueRoom("caps");
    const writer = await pool.connect({ token: await mint(`pat-${pid}`, { [room]: ["publish"] }) });
    const seq = await seqOf(writer, room, "message", { text: "mine" });
    const attempts: [string, Json][] = [
      ["edit", { target: seq, text: "changed" }],
      ["delete", { target: seq }],
      ["reaction", { target: seq, emoji: "👍", op: "add" }],
      ["receipt", { upTo: seq }],
    ];
    for (const [kind, body] of attempts) assert.equal(outcome(await pub(writer, room, kind, body)), "FORBIDDEN", kind);
    const reactor = await pool.connect({ token: await mint(`rae-${pid}`, { [room]: ["react"] }) });
    assert.equal(outcome(await pub(reactor, room, "reaction", { target: seq, emoji: "👍", op: "add" })), "ack");
    assert.equal(outcome(await pub(reactor, room, "message", { text: "no publish" })), "FORBIDDEN");
    const reader = await pool.connect({ token: await mint(`ray-${pid}`, { [room]: ["subscribe"] }) });
    assert.equal(outcome(await pub(reader, room, "receipt", { upTo: seq })), "ack");
  });

  it("targets: TARGET_NOT_FOUND when missing, above the head or not a message", async (pool) => {
    const room = uniqueRoom("target");
    const c = await pool.connect({ token: await mint(`tia-${pid}`) });
    const seq = await seqOf(c, room, "message", { text: "one" });
    const reaction = await seqOf(c, room, "reaction", { target: seq, emoji: "🎉", op: "add" });
    const cases: [string, Json][] = [
      ["edit", { target: 99, text: "x" }],
      ["edit", { target: reaction, text: "x" }],
      ["reaction", { target: 50, emoji: "👍", op: "add" }],
      ["delete", { target: reaction }],
      ["message", { text: "reply", replyTo: 77 }],
      ["receipt", { upTo: reaction + 1 }],
    ];
    for (const [kind, body] of cases) assert.equal(outcome(await pub(c, room, kind, body)), "TARGET_NOT_FOUND", kind);
    assert.equal(outcome(await pub(c, room, "message", { text: "reply", replyTo: seq })), "ack");
    assert.equal(outcome(await pub(c, room, "receipt", { upTo: reaction })), "ack");
  });

  it("authorship: edit own only; delete own, or anyone's with delete_any", async (pool) => {
    const room = uniqueRoom("author");
    const ann = await pool.connect({ token: await mint(`ann-${pid}`) });
    const bob = await pool.connect({ token: await mint(`bob-${pid}`, { [room]: ["publish", "edit", "delete"] }) });
    const mod = await pool.connect({ token: await mint(`mod-${pid}`, { [room]: ["delete_any"] }) });
    const first = await seqOf(ann, room, "message", { text: "ann's" });
    const second = await seqOf(ann, room, "message", { text: "ann's too" });
    assert.equal(outcome(await pub(bob, room, "edit", { target: first, text: "bob was here" })), "NOT_AUTHOR");
    assert.equal(outcome(await pub(bob, room, "delete", { target: first })), "NOT_AUTHOR");
    assert.equal(outcome(await pub(ann, room, "edit", { target: first, text: "ann's, edited" })), "ack");
    assert.equal(outcome(await pub(mod, room, "delete", { target: first })), "ack");
    assert.equal(outcome(await pub(ann, room, "delete", { target: second })), "ack");
  });

  it("a deleted message takes no edit or reaction; a second delete is accepted", async (pool) => {
    const room = uniqueRoom("tomb");
    const c = await pool.connect({ token: await mint(`dee-${pid}`) });
    await subscribe(c, room);
    const seq = await seqOf(c, room, "message", { text: "soon gone" });
    await seqOf(c, room, "delete", { target: seq });
    assert.equal(outcome(await pub(c, room, "edit", { target: seq, text: "too late" })), "TARGET_NOT_FOUND");
    assert.equal(outcome(await pub(c, room, "reaction", { target: seq, emoji: "👍", op: "add" })), "TARGET_NOT_FOUND");
    assert.equal(outcome(await pub(c, room, "delete", { target: seq })), "ack");
    const history = await c.expect({ t: "history", room, after: 0 }, "history");
    assert.deepEqual(
      history.events.map((e) => [e.seq, e.kind, e.body]),
      [
        [1, "message", { deleted: true }],
        [2, "delete", { target: 1 }],
        [3, "delete", { target: 1 }],
      ],
    );
    // The live subscriber got the original first, then the delete.
    assert.deepEqual(
      (await c.waitForEvents(room, 3)).map((e) => e.body),
      [{ text: "soon gone" }, { target: 1 }, { target: 1 }],
    );
  });

  it("REST publish applies the same rules, with the catalogue's HTTP statuses", async (pool) => {
    const room = uniqueRoom("rest");
    const ann = await pool.connect({ token: await mint(`ann-${pid}`) });
    const seq = await seqOf(ann, room, "message", { text: "over ws" });
    const post = async (user: string, kind: string, body: Json, caps?: Record<string, string[]>) => {
      const res = await fetch(`${suite.server.httpUrl}/v1/rooms/${room}/messages`, {
        method: "POST",
        headers: { authorization: `Bearer ${await mint(user, caps)}`, "content-type": "application/json" },
        body: JSON.stringify({ cmid: uniqueCmid(), kind, body }),
      });
      return [res.status, ((await res.json()) as { error?: { code: string } }).error?.code ?? "ok"];
    };
    assert.deepEqual(await post(`ann-${pid}`, "edit", { target: seq }), [400, "BAD_EVENT"]);
    assert.deepEqual(await post(`ann-${pid}`, "edit", { target: 42, text: "x" }), [404, "TARGET_NOT_FOUND"]);
    assert.deepEqual(await post(`bob-${pid}`, "edit", { target: seq, text: "x" }), [403, "NOT_AUTHOR"]);
    const onlyPublish = { [room]: ["publish"] };
    assert.deepEqual(await post(`ann-${pid}`, "edit", { target: seq, text: "x" }, onlyPublish), [403, "FORBIDDEN"]);
    assert.deepEqual(await post(`ann-${pid}`, "edit", { target: seq, text: "edited over REST" }), [201, "ok"]);
    assert.deepEqual(await post(`bob-${pid}`, "reaction", { target: seq, emoji: "✅", op: "add" }), [201, "ok"]);
  });

  it("a receipt and POST /read follow one rule: a public room's non-member may, a private room's may not", async (pool) => {
    const [open, closed] = [uniqueRoom("read-pub"), uniqueRoom("read-priv")];
    const rest = async (user: string, method: string, path: string, body: unknown) => {
      const res = await fetch(`${suite.server.httpUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await mint(user)}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const reply = (await res.json()) as { error?: { code: string }; lastReadSeq?: number };
      return [res.status, reply.error?.code ?? reply.lastReadSeq];
    };
    const ann = await pool.connect({ token: await mint(`ann-${pid}`) });
    for (const [id, type] of [
      [open, "public"],
      [closed, "private"],
    ] as const) {
      assert.equal((await rest(`ann-${pid}`, "POST", "/v1/rooms", { id, type, name: id }))[0], 201);
      await seqOf(ann, id, "message", { text: "hello" });
      await seqOf(ann, id, "message", { text: "again" });
    }
    const stranger = `sid-${pid}`;
    const ws = await pool.connect({ token: await mint(stranger) });
    assert.equal(outcome(await pub(ws, open, "receipt", { upTo: 1 })), "ack");
    assert.deepEqual(await rest(stranger, "POST", `/v1/rooms/${open}/read`, { seq: 2 }), [200, 2]);
    assert.equal(outcome(await pub(ws, closed, "receipt", { upTo: 1 })), "FORBIDDEN");
    assert.deepEqual(await rest(stranger, "POST", `/v1/rooms/${closed}/read`, { seq: 1 }), [403, "FORBIDDEN"]);
    // Marking an empty room read changes nothing, as a receipt there cannot be sent.
    const empty = uniqueRoom("read-empty");
    assert.deepEqual(await rest(stranger, "POST", `/v1/rooms/${empty}/read`, { seq: 5 }), [200, 0]);
    const unread = (await (
      await fetch(`${suite.server.httpUrl}/v1/unread`, { headers: { authorization: `Bearer ${await mint(stranger)}` } })
    ).json()) as { rooms: { room: string }[] };
    assert.deepEqual(
      unread.rooms.map((r) => r.room),
      [open],
    );
  });
});
