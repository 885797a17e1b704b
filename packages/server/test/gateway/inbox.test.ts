/**
 * The gateway's inboxes (gateway/inbox.ts, inbox-hub.ts) over in-memory reads: what each log event
 * changes, which inboxes it is offered to, and that counting messages, deletes and receipts to the
 * end reads no store (only a snapshot, a room entering, or a receipt reading part of it does).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { setTimeout as tick } from "node:timers/promises";
import type { InboxRoom, Json, RoomEvent, ServerFrame } from "@parley/protocol";
import type { Principal } from "#server/auth/principal.js";
import { UserInbox } from "#server/gateway/inbox.js";
import { InboxHub } from "#server/gateway/inbox-hub.js";
import type { InboxRooms } from "#server/policy/inbox-rooms.js";
import { waitUntil } from "../support/wait.js";

const entry = (id: string, over: Partial<InboxRoom> = {}): InboxRoom => ({
  id,
  type: "public",
  name: id,
  lastSeq: 0,
  lastReadSeq: 0,
  unread: 0,
  mentions: 0,
  ...over,
});

/** Store reads that answer from a table and count how often they were asked. */
class CountingReads {
  reads = 0;
  /** `table` answers `entry`; `rooms` (default: the table's) the snapshot. */
  constructor(
    readonly table: Map<string, InboxRoom>,
    public rooms?: InboxRoom[],
  ) {}
  snapshot = async (): Promise<InboxRoom[]> => (this.reads++, this.rooms ?? [...this.table.values()]);
  entry = async (_p: Principal, id: string): Promise<InboxRoom | undefined> => (this.reads++, this.table.get(id));
}

let seqs = new Map<string, number>();
function ev(room: string, from: string, kind: string, body: Json): RoomEvent {
  const seq = (seqs.get(room) ?? 0) + 1;
  seqs.set(room, seq);
  return { room, seq, id: `${room}-${seq}`, from, ts: 0, kind, body, cmid: `c${seq}` };
}

/** Options of `open`: the token's capabilities (default all), and where failures go (default: the test fails). */
interface OpenOptions {
  caps?: Principal["caps"];
  failures?: unknown[];
}

function open(
  hub: InboxHub,
  user: string,
  reads: CountingReads,
  { caps = { "*": ["*"] }, failures }: OpenOptions = {},
) {
  const frames: ServerFrame[] = [];
  const inbox = new UserInbox(
    {
      principal: { user, caps, expiresAt: undefined, dev: false },
      reply: (f) => frames.push(f),
      follow: (which, room, on) => hub.follow(which, room, on),
      failed: (err) => (failures ? failures.push(err) : assert.fail(String(err))),
    },
    reads as unknown as InboxRooms,
  );
  hub.add(inbox);
  const ready = inbox.start(1).then(() => hub.loaded(inbox));
  const last = (room: string) =>
    frames.findLast((f) => (f.t === "inbox.room" && f.room.id === room) || (f.t === "inbox.gone" && f.room === room));
  return { inbox, frames, ready, last };
}

describe("inbox", () => {
  it("counts others' messages and mentions, deletes and the user's receipts without reading the store", async () => {
    seqs = new Map([["big", 10]]);
    const reads = new CountingReads(new Map([["big", entry("big", { lastSeq: 10, lastReadSeq: 10 })]]));
    const hub = new InboxHub();
    const bob = open(hub, "bob", reads);
    await bob.ready;
    assert.deepEqual(bob.frames[0], { t: "inbox", id: 1, rooms: [entry("big", { lastSeq: 10, lastReadSeq: 10 })] });
    const before = reads.reads;
    hub.publish(ev("big", "amy", "message", { text: "hi" }));
    hub.publish(ev("big", "amy", "message", { text: "yo @bob" }));
    hub.publish(ev("big", "bob", "message", { text: "mine" }));
    hub.publish(ev("big", "amy", "reaction", { target: 11, emoji: "👍", op: "add" }));
    hub.publish(ev("big", "amy", "delete", { target: 11 }));
    await tick(0);
    assert.deepEqual(bob.last("big"), {
      t: "inbox.room",
      change: "activity",
      seq: 15,
      room: entry("big", { lastSeq: 15, lastReadSeq: 10, unread: 1, mentions: 1 }),
    });
    hub.publish(ev("big", "bob", "receipt", { upTo: 15 }));
    await tick(0);
    assert.deepEqual(bob.last("big"), {
      t: "inbox.room",
      change: "read",
      seq: 16,
      room: entry("big", { lastSeq: 16, lastReadSeq: 15 }),
    });
    assert.equal(reads.reads, before, "no store read for messages, deletes or a receipt to the end");
    assert.equal(bob.frames.filter((f) => f.t === "inbox.room").length, 4, "own messages and reactions push nothing");
  });

  it("a receipt that reads part of what the snapshot counted asks the store once; live counts stay exact", async () => {
    seqs = new Map([["r", 5]]);
    const table = new Map([["r", entry("r", { lastSeq: 5, unread: 4, mentions: 1 })]]);
    const reads = new CountingReads(table);
    const hub = new InboxHub();
    const bob = open(hub, "bob", reads);
    await bob.ready;
    hub.publish(ev("r", "amy", "message", { text: "six" }));
    table.set("r", entry("r", { lastSeq: 7, lastReadSeq: 3, unread: 3, mentions: 0 })); // the store after the receipt
    hub.publish(ev("r", "bob", "receipt", { upTo: 3 }));
    await tick(0);
    assert.deepEqual(bob.last("r")?.t === "inbox.room" && bob.last("r"), {
      t: "inbox.room",
      change: "read",
      seq: 7,
      room: entry("r", { lastSeq: 7, lastReadSeq: 3, unread: 3, mentions: 0 }),
    });
    assert.equal(reads.reads, 2, "the snapshot and one recount");
    // A message offered while a recount reads the store waits behind it, then counts on the recount.
    table.set("r", entry("r", { lastSeq: 8, lastReadSeq: 4, unread: 2, mentions: 0 }));
    hub.publish(ev("r", "bob", "receipt", { upTo: 4 }));
    hub.publish(ev("r", "amy", "message", { text: "nine @bob" }));
    await tick(0);
    assert.deepEqual(
      bob.frames.slice(-2).map((f) => f.t === "inbox.room" && [f.change, f.seq, f.room.unread, f.room.mentions]),
      [
        ["read", 8, 2, 0],
        ["activity", 9, 3, 1],
      ],
    );
  });

  it("rooms enter and leave: created, added, joined, a DM's first event, renamed, left, removed", async () => {
    seqs = new Map([["pub", 2]]);
    const reads = new CountingReads(
      new Map([
        ["vault", entry("vault", { type: "private", name: "V", lastSeq: 2 })],
        ["pub", entry("pub", { lastSeq: 3, unread: 1 })],
        ["dm:amy:bob", entry("dm:amy:bob", { type: "dm", name: "", lastSeq: 1, unread: 1 })],
      ]),
      [],
    );
    const hub = new InboxHub();
    const bob = open(hub, "bob", reads);
    await bob.ready;
    hub.publish(ev("mine", "bob", "system", { type: "room.created", members: ["bob"], name: "Mine" }));
    hub.publish(ev("vault", "amy", "system", { type: "room.private", members: ["amy"], name: "V" }));
    hub.publish(ev("vault", "amy", "system", { type: "member.joined", user: "bob" }));
    hub.publish(ev("pub", "bob", "system", { type: "member.joined", user: "bob" }));
    hub.publish(ev("dm:amy:bob", "amy", "message", { text: "hey" }));
    hub.publish(ev("vault", "amy", "system", { type: "room.renamed", name: "Plans" }));
    hub.publish(ev("vault", "amy", "system", { type: "member.left", user: "bob" }));
    hub.publish(ev("pub", "bob", "system", { type: "member.left", user: "bob", open: true }));
    hub.publish(ev("vault", "amy", "message", { text: "after bob left" }));
    await tick(5);
    const changes = bob.frames
      .slice(1)
      .map((f) =>
        f.t === "inbox.room"
          ? [f.change, f.room.id, f.room.name, f.room.unread]
          : [f.t, f.t === "inbox.gone" && f.room],
      );
    assert.deepEqual(changes, [
      ["created", "mine", "Mine", 0],
      ["added", "vault", "V", 0],
      ["joined", "pub", "pub", 1],
      ["dm", "dm:amy:bob", "", 1],
      ["renamed", "vault", "Plans", 0],
      ["inbox.gone", "vault"],
      ["inbox.gone", "pub"],
    ]);
    assert.deepEqual(
      bob.frames.filter((f) => f.t === "inbox.gone").map((f) => f.t === "inbox.gone" && f.change),
      ["removed", "left"],
    );
  });

  it("events that arrive while the snapshot is read follow it; those it already counted are skipped", async () => {
    seqs = new Map([["r", 2]]);
    const reads = new CountingReads(new Map(), [entry("r", { lastSeq: 3, unread: 1 })]);
    const hub = new InboxHub();
    const bob = open(hub, "bob", reads);
    hub.publish(ev("r", "amy", "message", { text: "three" })); // counted by the snapshot (lastSeq 3)
    hub.publish(ev("r", "amy", "message", { text: "four" }));
    await bob.ready;
    await tick(0);
    assert.deepEqual(
      bob.frames.map((f) => (f.t === "inbox.room" ? [f.t, f.seq, f.room.unread] : [f.t])),
      [["inbox"], ["inbox.room", 4, 2]],
    );
  });

  it("a token scoped to some rooms learns nothing of others; a closed inbox is offered nothing", async () => {
    seqs = new Map();
    const reads = new CountingReads(new Map(), []);
    const hub = new InboxHub();
    const bob = open(hub, "bob", reads, { caps: { "team-*": ["*"] } });
    await bob.ready;
    hub.publish(ev("other", "amy", "system", { type: "room.created", members: ["bob"], name: "x" }));
    hub.publish(ev("team-a", "amy", "system", { type: "room.created", members: ["bob"], name: "A" }));
    await tick(0);
    assert.deepEqual(
      bob.frames.slice(1).map((f) => f.t === "inbox.room" && f.room.id),
      ["team-a"],
    );
    hub.remove(bob.inbox);
    assert.equal(hub.size, 0);
    hub.publish(ev("team-a", "amy", "message", { text: "after close" }));
    await tick(0);
    assert.equal(bob.frames.length, 2);
  });

  it("a failed store read is logged, then a fresh snapshot answers the request again", async () => {
    seqs = new Map();
    const reads = new CountingReads(new Map(), []);
    const hub = new InboxHub();
    const failures: unknown[] = [];
    const bob = open(hub, "bob", reads, { failures });
    await bob.ready;
    reads.entry = () => Promise.reject(new Error("store down"));
    hub.publish(ev("pub", "bob", "system", { type: "member.joined", user: "bob" }));
    await waitUntil(() => failures.length === 1, "the failure");
    reads.rooms = [entry("pub", { lastSeq: 1 })];
    await waitUntil(() => bob.frames.filter((f) => f.t === "inbox").length === 2, "the resync snapshot");
    assert.deepEqual(bob.frames.at(-1), { t: "inbox", id: 1, rooms: [entry("pub", { lastSeq: 1 })] });
    hub.publish(ev("pub", "amy", "message", { text: "after" }));
    await tick(0);
    const last = bob.last("pub");
    assert.deepEqual(last?.t === "inbox.room" && last.room, entry("pub", { lastSeq: 2, unread: 1 }));
    hub.remove(bob.inbox);
  });
});
