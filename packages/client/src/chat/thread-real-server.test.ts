// The REST reads of the SDK against the real server: a message's thread and its edits, with the
// client's own credentials (dev-mode user here), and the server's error code when refused.
import assert from "node:assert/strict";
import { test } from "node:test";
import { ParleyError } from "@parley/protocol";
import { realServer } from "../test-support/real-server-fixture.js";

const { client, uniqueRoom } = realServer("thread");

test("room.thread pages the replies of a message and room.edits lists its author's edits", async () => {
  const ann = client("ann");
  await ann.connect();
  const room = ann.room(uniqueRoom());
  const parent = await room.publish({ text: "question" });
  for (let i = 0; i < 5; i++) await room.publish({ text: `filler ${i}` });
  const r1 = await room.reply(parent.seq, "first answer");
  const parentEdit = await room.edit(parent.seq, "question, edited");
  const r2 = await room.reply(parent.seq, "second answer");
  const r3 = await room.reply(parent.seq, "third answer");
  const deleted = await room.delete(r2.seq);
  const reacted = await room.react(r3.seq, "🎉");

  const first = await room.thread(parent.seq, { limit: 2 });
  assert.deepEqual(
    first.replies.map((e) => e.seq),
    [r1.seq, r2.seq],
  );
  assert.equal(first.hasMore, true);
  assert.equal(first.count, 2, "the deleted reply is not counted");
  assert.deepEqual(first.replies[1]!.body, { deleted: true });
  // What targets the parent and this page's replies, not the next page's.
  assert.deepEqual(
    first.related.map((e) => [e.seq, e.kind]),
    [
      [parentEdit.seq, "edit"],
      [deleted.seq, "delete"],
    ],
  );
  assert.equal(first.relatedHasMore, false);
  const rest = await room.thread(parent.seq, { after: r2.seq });
  assert.deepEqual(
    rest.replies.map((e) => e.seq),
    [r3.seq],
  );
  assert.equal(rest.hasMore, false);
  assert.deepEqual(
    rest.related.map((e) => [e.seq, e.body]),
    [[reacted.seq, { target: r3.seq, emoji: "🎉", op: "add" }]],
  );

  const edits = await room.edits(parent.seq);
  assert.deepEqual(
    edits.map((e) => (e.body as { text: string }).text),
    ["question, edited"],
  );
  await assert.rejects(room.thread(0), (err: unknown) => err instanceof ParleyError && err.code === "BAD_REQUEST");
});
