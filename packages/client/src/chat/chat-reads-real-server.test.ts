// The `unread` and `search` frames against the real server: exact counts per room (others' messages after the
// read position, deleted ones excluded, mentions), receipts from any device, and search over current texts.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { UnreadRoom } from "@parley/protocol";
import type { ParleyClient } from "../node.js";
import { waitUntil } from "../test-support/fake-server.js";
import { realServer } from "../test-support/real-server-fixture.js";

const fixture = realServer("reads");
const uniqueRoom = fixture.uniqueRoom;

async function connected(user: string): Promise<ParleyClient> {
  const c = fixture.client(user);
  await c.connect();
  return c;
}

async function countsOf(c: ParleyClient, room: string): Promise<UnreadRoom | undefined> {
  return (await c.unread()).find((r) => r.room === room);
}

test("unread: others' messages after the read position, minus deleted ones; mentions; receipts move it", async () => {
  const [ann, bob] = await Promise.all([connected("ann"), connected("bob")]);
  const id = uniqueRoom();
  await ann.room(id).subscribe();
  const first = await ann.room(id).publish({ text: "ann's own" });
  ann.room(id).markRead(first.seq);
  await waitUntil(() => ann.room(id).readPosition === first.seq, 5000, "ann's receipt");
  const b = bob.room(id);
  await b.publish({ text: "one" });
  const two = await b.publish({ text: "two @ann" });
  await b.publish({ text: "three @ann." });
  const gone = await b.publish({ text: "four, deleted" });
  await b.react(two.seq, "👍");
  await b.delete(gone.seq);
  const counts = await countsOf(ann, id);
  assert.ok(counts, "a room with a read position is listed");
  assert.deepEqual(
    { lastRead: counts.lastRead, unread: counts.unread, mentions: counts.mentions },
    { lastRead: first.seq, unread: 3, mentions: 2 },
  );
  assert.ok(counts.lastSeq >= gone.seq + 1);

  // A second device of ann reads up to "two": the first device's counts follow, exactly.
  const phone = await connected("ann");
  await phone.room(id).subscribe();
  phone.room(id).markRead(two.seq);
  await waitUntil(() => phone.room(id).readPosition === two.seq, 5000, "the phone's receipt");
  assert.deepEqual(
    ((await countsOf(ann, id)) ?? ({} as UnreadRoom)).unread,
    1,
    "only 'three' is left once the phone read up to 'two'",
  );
  assert.equal((await countsOf(ann, id))?.mentions, 1);
  assert.equal(ann.room(id).readPosition, two.seq, "unread() tells the room its read position");
});

test("search: current texts of chat messages, newest first, not deleted ones, per room on request", async () => {
  const [ann, bob] = await Promise.all([connected("ann"), connected("bob")]);
  const [r1, r2] = [uniqueRoom(), uniqueRoom()];
  const word = `quokka${process.pid}`;
  const old = await ann.room(r1).publish({ text: `an old ${word} sighting` });
  const edited = await bob.room(r2).publish({ text: "nothing to see" });
  await bob.room(r2).edit(edited.seq, `a new ${word} sighting after the edit`);
  const deleted = await ann.room(r1).publish({ text: `a secret ${word}` });
  await ann.room(r1).delete(deleted.seq);

  const hits = await ann.search(word); // indexed in the events' own transaction: no waiting
  assert.deepEqual(
    hits.map((h) => [h.room, h.seq, h.from]),
    [
      [r2, edited.seq, "bob"],
      [r1, old.seq, "ann"],
    ],
  );
  assert.match(hits[0]!.text, /after the edit/);
  assert.ok(hits.every((h) => h.snippet.toLowerCase().includes("quokka")));
  const inOne = await ann.search(word, { room: r1 });
  assert.deepEqual(
    inOne.map((h) => h.seq),
    [old.seq],
  );
  assert.deepEqual(await ann.search(`nomatch${process.pid}`), []);
});
