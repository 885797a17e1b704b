// @parley/client/server against the real server: every call, and errors as ParleyError with the catalogue code.
import assert from "node:assert/strict";
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ParleyClient } from "./node.js";
import { ParleyError, ParleyServerClient } from "./server.js";
import { waitUntil } from "./test-support/fake-server.js";
import { recordEvents } from "./test-support/scenarios.js";
import { ServerProcess } from "./test-support/server-process.js";

const dir = mkdtempSync(join(tmpdir(), "parley-server-client-"));
const secret = randomBytes(32).toString("base64url");
const keysFile = join(dir, "keys.json");
writeFileSync(
  keysFile,
  JSON.stringify({ keys: [{ id: "sdk", sha256: createHash("sha256").update(secret).digest("hex"), scopes: ["api"] }] }),
);
const server = new ServerProcess(["--server-keys-file", keysFile]);
const clients: ParleyClient[] = [];

before(() => server.start());
after(async () => {
  for (const client of clients) client.disconnect();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

function api(key = `sdk.${secret}`): ParleyServerClient {
  return new ParleyServerClient({ url: server.httpUrl, key });
}

async function user(name: string): Promise<ParleyClient> {
  const c = new ParleyClient({ url: server.url, user: name, backoff: { minMs: 50, maxMs: 300 } });
  clients.push(c);
  await c.connect();
  return c;
}

async function refusal(call: Promise<unknown>): Promise<ParleyError> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ParleyError, String(err));
    return err;
  }
  assert.fail("the call succeeded");
}

const unique = (prefix: string) => `${prefix}-${process.pid}-${randomUUID().slice(0, 8)}`;

test("publish and broadcast as a bot: subscribers get them; a retried cmid is a duplicate; a refused room is a ParleyError", async () => {
  const room = unique("sdk-pub");
  const alice = await user("alice");
  const seen = recordEvents(alice, room);
  await alice.room(room).subscribe();
  const cmid = randomUUID();
  const first = await api().publish(room, { from: "helper-bot", cmid, body: { text: "hi" } });
  assert.equal(first.dup, false);
  assert.deepEqual(await api().publish(room, { from: "helper-bot", cmid, body: { text: "hi" } }), {
    ...first,
    dup: true,
  });
  await waitUntil(() => seen.length === 1, 5000, "the bot's message");
  assert.deepEqual([seen[0]?.from, seen[0]?.body], ["helper-bot", { text: "hi" }]);

  const closed = await api().createRoom({ type: "private", name: "Closed" });
  const results = await api().broadcast([room, closed.id], { from: "helper-bot", body: { text: "all" } });
  assert.equal(results[0]?.ok && results[0].seq, first.seq + 1);
  assert.equal(!results[1]?.ok && results[1]?.error.code, "FORBIDDEN");
  assert.ok(!results[1]?.ok && results[1]?.error instanceof ParleyError);
  const bad = await refusal(api().publish(room, { from: "bad user", body: {} }));
  assert.deepEqual([bad.code, bad.retryable], ["BAD_REQUEST", false]);
});

test("rooms and members: create with members, add, remove, delete (the subscriber is cut off)", async () => {
  const created = await api().createRoom({ type: "private", name: "Team", from: "team-bot", members: ["carol"] });
  assert.deepEqual([created.type, created.createdBy], ["private", "team-bot"]);
  await api().addMember(created.id, "dave");
  const users = async () => (await api().members(created.id)).map((m) => m.user).sort();
  assert.deepEqual(await users(), ["carol", "dave", "team-bot"]);
  await api().removeMember(created.id, "dave", { from: "team-bot" });
  assert.deepEqual(await users(), ["carol", "team-bot"]);
  const carol = await user("carol");
  const ended: string[] = [];
  carol.room(created.id).on("unsubscribed", ({ reason }) => ended.push(reason));
  await carol.room(created.id).subscribe();
  await api().deleteRoom(created.id);
  await waitUntil(() => ended.length === 1, 5000, "carol's subscription ended");
  assert.deepEqual(ended, ["ROOM_NOT_FOUND"]);
  await api().deleteRoom(created.id); // idempotent
  assert.equal((await refusal(api().members(created.id))).code, "ROOM_NOT_FOUND");
  assert.equal((await refusal(api().createRoom({ id: created.id, type: "public", name: "x" }))).code, "ROOM_EXISTS");
});

test("presence, occupancy and disconnect", async () => {
  const room = unique("sdk-presence");
  const erin = await user("erin");
  await erin.room(room).subscribe();
  await waitUntil(async () => (await api().presence(room)).users === 1, 5000, "erin present");
  assert.deepEqual(await api().presence(room), {
    room,
    users: 1,
    connections: 1,
    members: [{ user: "erin", connections: 1 }],
  });
  assert.ok((await api().occupancy({ limit: 1000 })).some((r) => r.room === room && r.connections === 1));
  assert.deepEqual(await api().disconnect("erin"), { closedHere: 1 });
  await waitUntil(() => erin.state === "closed", 5000, "erin's client stopped (terminal close)");
});

test("keys: a wrong key is UNAUTHORIZED, an unreachable server UNAVAILABLE (retryable)", async () => {
  assert.equal((await refusal(api(`sdk.${secret}x`).occupancy())).code, "UNAUTHORIZED");
  const gone = new ParleyServerClient({ url: "http://127.0.0.1:1", key: `sdk.${secret}` });
  const err = await refusal(gone.occupancy());
  assert.deepEqual([err.code, err.retryable], ["UNAVAILABLE", true]);
});
