/**
 * The ChatReads contract (store.ts) as tests, run by describeStoreContract on
 * every Store. Events are written through the backend's real write path (the
 * embedded log's commit on SQLite, the sink's insertBatch on PostgreSQL), so
 * these tests cover the projection (chat/projection.ts) and the reads together.
 */
import assert from "node:assert/strict";
import { it } from "node:test";
import { TOMBSTONE_BODY, type Json, type RoomEvent } from "@parley/protocol";
import { roomAdmits } from "#server/policy/access.js";
import type { Store } from "#server/store/store.js";

/** Writes sequenced events (contiguous per room, in log order) as the backend's event writer does. */
export type EventWriter = (events: RoomEvent[]) => Promise<void>;

let counter = 0;

/** Builds one room's events with contiguous seqs. */
class RoomScript {
  readonly events: RoomEvent[] = [];
  private seq = 0;
  constructor(readonly room: string) {}

  add(from: string, kind: string, body: Json): number {
    const seq = ++this.seq;
    const id = `${this.room}-${seq}`;
    this.events.push({ room: this.room, seq, id, from, ts: 1_700_000_000_000 + ++counter, kind, body, cmid: id });
    return seq;
  }

  /** The events added since the last call. */
  take(): RoomEvent[] {
    return this.events.splice(0);
  }
}

function fresh(label: string): RoomScript {
  return new RoomScript(`${label}-${process.pid}-${++counter}`);
}

function user(name: string): string {
  return `${name}-${process.pid}-${counter}`;
}

/** Registers the chat-read tests; `get` gives the suite's store and event writer once started. */
export function describeChatReads(get: () => { store: Store; write: EventWriter }): void {
  it("unread: messages from others after the read position, deleted excluded; mentions of those", async () => {
    const { store, write } = get();
    const [ann, bob] = [user("ann"), user("bob")];
    const r = fresh("unread");
    await store.createRoom({ id: r.room, type: "public", name: "u", createdBy: ann });
    await store.addMember(r.room, bob);
    r.add(ann, "message", { text: `hi @${bob}` });
    r.add(bob, "message", { text: "yo" });
    r.add(ann, "message", { text: "x" });
    r.add(bob, "receipt", { upTo: 1 });
    const mention = r.add(ann, "message", { text: `again @${bob}.` });
    r.add(ann, "app.kind", { text: "not chat" });
    await write(r.take());
    const rowOf = async (u: string) => {
      const row = (await store.unread(u)).find((x) => x.room === r.room);
      assert.deepEqual(await store.unread(u, r.room), row ? [row] : [], "one room's row is the same");
      return row;
    };
    assert.deepEqual(await rowOf(bob), { room: r.room, lastRead: 1, lastSeq: 6, unread: 2, mentions: 1 });
    assert.deepEqual(await rowOf(ann), { room: r.room, lastRead: 0, lastSeq: 6, unread: 1, mentions: 0 });
    r.add(ann, "delete", { target: mention });
    r.add(bob, "receipt", { upTo: 2 });
    await write(r.take());
    assert.deepEqual(await rowOf(bob), { room: r.room, lastRead: 2, lastSeq: 8, unread: 1, mentions: 0 });
  });

  it("read positions: receipts and setLastRead raise one position, never lower it", async () => {
    const { store, write } = get();
    const ann = user("ann");
    const r = fresh("receipts");
    await store.createRoom({ id: r.room, type: "public", name: "r", createdBy: ann });
    for (let i = 0; i < 5; i++) r.add(ann, "message", { text: `m${i}` });
    r.add(ann, "receipt", { upTo: 4 });
    r.add(ann, "receipt", { upTo: 2 });
    await write(r.take());
    const position = async () => (await store.listMembers(r.room)).find((m) => m.user === ann)?.lastReadSeq;
    assert.equal(await position(), 4);
    await store.setLastRead(r.room, ann, 3);
    assert.equal(await position(), 4);
    await store.setLastRead(r.room, ann, 5);
    assert.equal(await position(), 5);
    assert.equal((await store.unread(ann)).find((x) => x.room === r.room)?.lastRead, 5);
  });

  it("unread lists a DM for both its users, and a public room once read; never others' rooms", async () => {
    const { store, write } = get();
    const [ann, cid, eve] = [user("ann"), user("cid"), user("eve")];
    const dm = new RoomScript(`dm:${ann}:${cid}`);
    dm.add(ann, "message", { text: "psst" });
    const open = fresh("open");
    open.add(ann, "message", { text: "in an implicit room" });
    open.add(eve, "receipt", { upTo: 1 });
    await write([...dm.take(), ...open.take()]);
    const rooms = async (u: string) => (await store.unread(u)).map((x) => x.room);
    assert.ok((await rooms(cid)).includes(dm.room));
    assert.deepEqual((await store.unread(cid)).find((x) => x.room === dm.room)?.unread, 1);
    assert.ok((await rooms(ann)).includes(dm.room));
    assert.ok(!(await rooms(eve)).includes(dm.room));
    assert.deepEqual(await store.unread(eve, dm.room), [], "one room's row: none for others' DMs");
    assert.ok((await rooms(eve)).includes(open.room));
  });

  it("a mentioned non-member of a public room gets a read position before the first mention, so unread lists it", async () => {
    const { store, write } = get();
    const [ann, bob, eve] = [user("ann"), user("bob"), user("eve")];
    const r = fresh("mentioned");
    await store.createRoom({ id: r.room, type: "public", name: "m", createdBy: ann });
    await store.addMember(r.room, bob);
    for (const text of ["one", "two", "three"]) r.add(ann, "message", { text });
    r.add(ann, "message", { text: `hey @${eve} and @${bob}` });
    r.add(ann, "message", { text: `@${eve} again` });
    const [dm, priv] = [new RoomScript(`dm:${ann}:${bob}`), fresh("mentioned-priv")];
    await store.createRoom({ id: priv.room, type: "private", name: "p", createdBy: ann });
    dm.add(ann, "message", { text: "first" });
    dm.add(ann, "message", { text: `@${bob} and @${eve}` });
    priv.add(ann, "message", { text: `@${eve} is not in here` });
    await write([...r.take(), ...dm.take(), ...priv.take()]);
    const rowOf = async (u: string, room: string) => (await store.unread(u)).find((x) => x.room === room);
    assert.deepEqual(await rowOf(eve, r.room), { room: r.room, lastRead: 3, lastSeq: 5, unread: 2, mentions: 2 });
    // A member keeps counting from the room's start; a DM's user from 0; others' DMs and private rooms stay out.
    assert.deepEqual(await rowOf(bob, r.room), { room: r.room, lastRead: 0, lastSeq: 5, unread: 5, mentions: 1 });
    assert.deepEqual(await rowOf(bob, dm.room), { room: dm.room, lastRead: 0, lastSeq: 2, unread: 2, mentions: 1 });
    assert.equal(await rowOf(eve, dm.room), undefined);
    assert.equal(await rowOf(eve, priv.room), undefined);
    // A later mention does not move the position it was given.
    r.add(ann, "message", { text: `@${eve} once more` });
    await write(r.take());
    assert.deepEqual(await rowOf(eve, r.room), { room: r.room, lastRead: 3, lastSeq: 6, unread: 3, mentions: 3 });
  });

  it("unread leaves out a private room the user has left", async () => {
    const { store, write } = get();
    const [ann, bob] = [user("ann"), user("bob")];
    const r = fresh("private");
    await store.createRoom({ id: r.room, type: "private", name: "p", createdBy: ann });
    await store.addMember(r.room, bob);
    r.add(ann, "message", { text: "secret" });
    r.add(bob, "receipt", { upTo: 1 });
    await write(r.take());
    assert.ok((await store.unread(bob)).some((x) => x.room === r.room));
    await store.removeMember(r.room, bob);
    assert.ok(!(await store.unread(bob)).some((x) => x.room === r.room));
  });

  it("edit history: the author's edits in order, tombstones once deleted", async () => {
    const { store, write } = get();
    const [ann, bob] = [user("ann"), user("bob")];
    const r = fresh("edits");
    const m = r.add(ann, "message", { text: "v1" });
    r.add(ann, "edit", { target: m, text: "v2" });
    r.add(bob, "edit", { target: m, text: "not the author" });
    r.add(ann, "edit", { target: m, text: "v3" });
    await write(r.take());
    const texts = async () => (await store.editsOf(r.room, m, 10)).map((e) => [e.seq, e.body]);
    assert.deepEqual(await texts(), [
      [2, { target: m, text: "v2" }],
      [4, { target: m, text: "v3" }],
    ]);
    assert.deepEqual(await store.editsOf(r.room, 99, 10), []);
    r.add(ann, "delete", { target: m });
    await write(r.take());
    assert.deepEqual(await texts(), [
      [2, TOMBSTONE_BODY],
      [4, TOMBSTONE_BODY],
    ]);
  });

  it("thread: replies ascending with paging, count excludes deleted replies", async () => {
    const { store, write } = get();
    const ann = user("ann");
    const r = fresh("thread");
    const root = r.add(ann, "message", { text: "root" });
    const first = r.add(ann, "message", { text: "re 1", replyTo: root });
    r.add(ann, "message", { text: "not a reply" });
    const second = r.add(ann, "message", { text: "re 2", replyTo: root });
    r.add(ann, "delete", { target: first });
    await write(r.take());
    const t = await store.thread(r.room, root, 0, 10);
    assert.deepEqual(
      t.replies.map((e) => [e.seq, e.body]),
      [
        [first, TOMBSTONE_BODY],
        [second, { text: "re 2", replyTo: root }],
      ],
    );
    assert.equal(t.count, 1);
    assert.deepEqual(
      (await store.thread(r.room, root, first, 1)).replies.map((e) => e.seq),
      [second],
    );
    assert.deepEqual(await store.thread(r.room, second, 0, 10), {
      replies: [],
      count: 0,
      related: [],
      relatedHasMore: false,
    });
  });

  it("thread: the edits, deletes and reactions of the page's replies (and, first page, the parent), ascending", async () => {
    const { store, write } = get();
    const [ann, bob] = [user("ann"), user("bob")];
    const r = fresh("related");
    const root = r.add(ann, "message", { text: "root" });
    const first = r.add(bob, "message", { text: "re 1", replyTo: root });
    const other = r.add(ann, "message", { text: "not in the thread" });
    const second = r.add(ann, "message", { text: "re 2", replyTo: root });
    const edit = r.add(bob, "edit", { target: first, text: "re 1, fixed" });
    const onFirst = r.add(ann, "reaction", { target: first, emoji: "👍", op: "add" });
    const onRoot = r.add(bob, "reaction", { target: root, emoji: "🎉", op: "add" });
    const onOther = r.add(bob, "reaction", { target: other, emoji: "👀", op: "add" });
    const del = r.add(ann, "delete", { target: second });
    await write(r.take());
    const related = async (after: number, limit: number) => {
      const t = await store.thread(r.room, root, after, limit);
      assert.equal(t.relatedHasMore, false);
      return t.related.map((e) => [e.seq, e.kind]);
    };
    assert.deepEqual(await related(0, 10), [
      [edit, "edit"],
      [onFirst, "reaction"],
      [onRoot, "reaction"],
      [del, "delete"],
    ]);
    assert.deepEqual(await related(0, 1), [
      [edit, "edit"],
      [onFirst, "reaction"],
      [onRoot, "reaction"],
    ]);
    assert.deepEqual(await related(first, 10), [[del, "delete"]]);
    // A message without replies is a thread of its own: its parent's events only.
    assert.deepEqual(
      (await store.thread(r.room, other, 0, 10)).related.map((e) => e.seq),
      [onOther],
    );
  });

  it("search: every word, newest first, current text only, deleted never", async () => {
    const { store, write } = get();
    const ann = user("ann");
    const r = fresh("search");
    const tag = `zq${process.pid}x${counter}`;
    const a = r.add(ann, "message", { text: `the quick ${tag} fox` });
    const b = r.add(ann, "message", { text: `a slow ${tag} fox` });
    const c = r.add(ann, "message", { text: `${tag} alone` });
    r.add(ann, "edit", { target: c, text: `${tag} edited into a fox` });
    const d = r.add(ann, "message", { text: `${tag} fox to delete` });
    r.add(ann, "delete", { target: d });
    await write(r.take());
    const seqsOf = async (q: string, room?: string) =>
      (await store.search({ q, user: ann, room, limit: 10 })).map((h) => h.seq);
    assert.deepEqual(await seqsOf(`${tag} fox`), [c, b, a]);
    assert.deepEqual(await seqsOf(`QUICK ${tag}`), [a]);
    assert.deepEqual(await seqsOf(`${tag} alone`), []);
    assert.deepEqual(await seqsOf(`${tag} delete`), []);
    assert.deepEqual(await seqsOf(`${tag}`, "another-room"), []);
    // Search as you type: the last word matches as a prefix, the others whole.
    assert.deepEqual(await seqsOf(`${tag} qui`), [a]);
    assert.deepEqual(await seqsOf(`${tag} fo`), [c, b, a]);
    assert.deepEqual(await seqsOf(`qui ${tag}`), []);
    const [hit] = await store.search({ q: `quick ${tag}`, user: ann, limit: 1 });
    assert.deepEqual(hit, {
      room: r.room,
      seq: a,
      from: ann,
      ts: hit!.ts,
      text: `the quick ${tag} fox`,
      snippet: `the quick ${tag} fox`,
    });
  });

  it("search: messages with every word whole come before prefix-only matches, each newest first", async () => {
    const { store, write } = get();
    const ann = user("ann");
    const r = fresh("rank");
    const tag = `zr${process.pid}y${counter}`;
    const exact = r.add(ann, "message", { text: `${tag} 17` });
    const prefixed = [170, 171, 172].map((n) => r.add(ann, "message", { text: `${tag} ${n}` }));
    const later = r.add(ann, "message", { text: `${tag} 17 again` });
    await write(r.take());
    const seqsOf = async (q: string, limit = 10) =>
      (await store.search({ q, user: ann, room: r.room, limit })).map((h) => h.seq);
    assert.deepEqual(await seqsOf(`${tag} 17`), [later, exact, ...prefixed.reverse()]);
    assert.deepEqual(await seqsOf(`${tag} 17`, 2), [later, exact], "the limit keeps the whole-word matches");
  });

  it("a text with NUL is projected (as U+FFFD), never a failed write", async () => {
    const { store, write } = get();
    const ann = user("ann");
    const r = fresh("nul");
    const tag = `zn${process.pid}v${counter}`;
    const m = r.add(ann, "message", { text: `${tag} a\u0000b` });
    r.add(ann, "edit", { target: m, text: `${tag} c\u0000d` });
    await write(r.take());
    const [hit] = await store.search({ q: tag, user: ann, limit: 5 });
    assert.equal(hit?.text, `${tag} c\uFFFDd`);
    assert.deepEqual((await store.editsOf(r.room, m, 5))[0]?.body, { target: m, text: `${tag} c\u0000d` });
  });

  it("search: query syntax is never syntax; private rooms and others' DMs are not searched", async () => {
    const { store, write } = get();
    const [ann, bob, cid] = [user("ann"), user("bob"), user("cid")];
    const tag = `zp${process.pid}y${counter}`;
    const priv = fresh("priv");
    await store.createRoom({ id: priv.room, type: "private", name: "p", createdBy: ann });
    priv.add(ann, "message", { text: `${tag} private` });
    const dm = new RoomScript(`dm:${ann}:${bob}`);
    dm.add(ann, "message", { text: `${tag} direct` });
    await write([...priv.take(), ...dm.take()]);
    const count = async (u: string, q = tag) => (await store.search({ q, user: u, limit: 10 })).length;
    assert.equal(await count(ann), 2);
    assert.equal(await count(bob), 1);
    assert.equal(await count(cid), 0);
    for (const q of [
      `"${tag}`,
      `${tag}*`,
      `NEAR(${tag} x)`,
      `text:${tag}`,
      `-${tag}`,
      `${tag} OR`,
      `'; DROP`,
      '"',
      "*",
    ]) {
      await store.search({ q, user: ann, limit: 10 });
    }
    assert.equal(await count(ann, `"${tag}" AND`), 0);
    assert.equal(await count(ann, `"${tag}*`), 2);
    assert.deepEqual(await store.search({ q: "!!! ???", user: ann, limit: 10 }), []);
  });

  it("the DM rule is one rule: search admits exactly the rooms auth/access.ts admits, `DM:` included", async () => {
    const { store, write } = get();
    const [ann, bob, cid] = [user("ann"), user("bob"), user("cid")];
    const n = counter;
    const tag = `zd${process.pid}w${n}`;
    // Upper or mixed case is not the DM namespace (an open room); a `dm:` id that is not canonical admits nobody.
    const ids = [
      `dm:${ann}:${bob}`,
      `DM:${ann}:${bob}`,
      `Dm:${ann}:${bob}`,
      `dM:x${n}`,
      `dm:x${n}`,
      `dm:${bob}:${ann}`,
    ];
    const scripts = ids.map((id) => new RoomScript(id));
    for (const r of scripts) r.add(ann, "message", { text: `${tag} ${r.room}` });
    await write(scripts.flatMap((r) => r.take()));
    for (const u of [ann, bob, cid]) {
      const found = new Set((await store.search({ q: tag, user: u, limit: 20 })).map((h) => h.room));
      for (const id of ids) {
        const admitted = await roomAdmits(id, u, store);
        assert.equal(found.has(id), admitted, `${u} in ${id}: search ${found.has(id)}, access ${admitted}`);
      }
    }
  });
}
