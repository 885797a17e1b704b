/**
 * The EventLog contract (see event-log.ts) as a test suite. The embedded log
 * runs it from embedded-log.test.ts; the Kafka log runs it in the integration
 * run; the in-memory fake (test/support/memory-log.ts) from memory-log.test.ts,
 * without the clauses that need durable storage. Each test uses its own room
 * names, so one fixture serves the suite.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ParleyError, TOMBSTONE_BODY, type RoomEvent } from "@parley/protocol";
import type { AppendResult, EventLog, PublishCommand } from "#server/log/event-log.js";

/** A started log on fresh storage, and a way to restart it on the same storage. */
export interface EventLogFixture {
  /** The current log (replaced by `restart`). */
  readonly log: EventLog;
  /**
   * Closes the current log and returns a new, started one on the same storage
   * (on a non-durable log: a new, empty one).
   */
  restart(): Promise<EventLog>;
  /** Closes everything and deletes the storage. */
  dispose(): Promise<void>;
}

/** Builds an EventLogFixture; each call must use new, empty storage. */
export type EventLogFactory = () => Promise<EventLogFixture>;

/** What the log under test can do; the suite registers only the clauses that apply. */
export interface EventLogCapabilities {
  /**
   * The log keeps its events across close and reopen. False only for a test
   * double: the clauses that read a log back after `restart` are then not
   * registered (every other clause still is, restart-free).
   */
  readonly durable: boolean;
}

const DURABLE: EventLogCapabilities = { durable: true };

let roomCounter = 0;
/** A room name unique to this process and call. */
function freshRoom(label: string): string {
  return `${label}-${process.pid}-${Date.now().toString(36)}-${++roomCounter}`;
}

function cmd(
  room: string,
  cmid: string,
  body: PublishCommand["body"] = { text: cmid },
  from = "user-1",
): PublishCommand {
  return { room, cmid, from, kind: "message", body };
}

/** True for the refusal of a cmid another user already published in the room. */
function isConflict(err: unknown): boolean {
  return err instanceof ParleyError && err.code === "CMID_CONFLICT";
}

function seqs(events: readonly RoomEvent[]): number[] {
  return events.map((e) => e.seq);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Records what listeners receive, per room. */
class Recorder {
  readonly byRoom = new Map<string, RoomEvent[]>();
  readonly listener = (e: RoomEvent): void => {
    const list = this.byRoom.get(e.room) ?? [];
    list.push(e);
    this.byRoom.set(e.room, list);
  };
  of(room: string): RoomEvent[] {
    return this.byRoom.get(room) ?? [];
  }
}

/** Registers the EventLog contract tests against `factory`; `capabilities` says which clauses apply. */
export function describeEventLogContract(
  name: string,
  factory: EventLogFactory,
  capabilities: EventLogCapabilities = DURABLE,
): void {
  describe(`EventLog contract: ${name}`, () => {
    let fx: EventLogFixture;
    let log: EventLog;
    const ctx = {
      get log() {
        return log;
      },
    };
    before(async () => {
      fx = await factory();
      log = fx.log;
    });
    after(() => fx.dispose());
    const restart = async () => {
      log = await fx.restart();
      return log;
    };

    describeOrder(ctx);
    describeListeners(ctx);
    describeIdempotence(ctx);
    describeCmidConflicts(ctx);
    describeReads(ctx);
    describeEpochs(ctx, factory);
    describeClose(ctx, restart);
    describeTombstones(ctx);
    if (capabilities.durable) describeRestart(ctx, restart);
  });
}

interface Ctx {
  readonly log: EventLog;
}

/** True for the refusal of an append to a closed log. */
function isShuttingDown(err: unknown): boolean {
  return err instanceof ParleyError && err.code === "SHUTTING_DOWN";
}

function describeOrder(ctx: Ctx): void {
  it("gives one room's appends seq 1, 2, 3, … with no gap", async () => {
    const room = freshRoom("order");
    const results: AppendResult[] = [];
    for (let i = 0; i < 20; i++) results.push(await ctx.log.append(cmd(room, `m${i}`)));
    assert.deepEqual(
      results.map((r) => r.event.seq),
      range(1, 20),
    );
    assert.ok(results.every((r) => !r.duplicate));
    assert.equal((await ctx.log.head(room)).lastSeq, 20);
  });

  it("keeps each room contiguous under concurrent appends to many rooms", async () => {
    const rooms = Array.from({ length: 20 }, () => freshRoom("many"));
    const calls = [];
    for (let i = 0; i < 30; i++) for (const room of rooms) calls.push(ctx.log.append(cmd(room, `c${i}`, { i })));
    const results = await Promise.all(calls);
    assert.equal(new Set(results.map((r) => r.event.id)).size, results.length, "event ids are unique");
    for (const room of rooms) {
      const mine = results.filter((r) => r.event.room === room).map((r) => r.event.seq);
      assert.deepEqual(
        [...mine].sort((a, b) => a - b),
        range(1, 30),
      );
      assert.deepEqual(seqs(await ctx.log.read(room, 0, 100)), range(1, 30));
    }
  });

  it("stores the command's fields and a server timestamp", async () => {
    const room = freshRoom("fields");
    const before = Date.now();
    const body = { text: "héllo ✓", nested: [1, null, { ok: true }] };
    const { event } = await ctx.log.append({ room, cmid: "f1", from: "zoe", kind: "edit", body });
    assert.deepEqual(
      { ...event, id: "", ts: 0 },
      { room, seq: 1, id: "", from: "zoe", ts: 0, kind: "edit", body, cmid: "f1" },
    );
    assert.ok(event.ts >= before - 1000 && event.ts <= Date.now() + 1000);
    assert.deepEqual(await ctx.log.read(room, 0, 10), [event]);
  });
}

function describeListeners(ctx: Ctx): void {
  it("delivers every event once, in seq order per room, before its append resolves", async () => {
    const rec = new Recorder();
    const unsubscribe = ctx.log.subscribe(rec.listener);
    const rooms = [freshRoom("live"), freshRoom("live"), freshRoom("live")];
    const calls = [];
    for (let i = 0; i < 40; i++) {
      for (const room of rooms) {
        calls.push(
          ctx.log.append(cmd(room, `l${i}`)).then((r) => {
            assert.ok(
              rec.of(room).some((e) => e.id === r.event.id),
              "listener saw the event by resolve time",
            );
            return r;
          }),
        );
      }
    }
    await Promise.all(calls);
    unsubscribe();
    for (const room of rooms) assert.deepEqual(seqs(rec.of(room)), range(1, 40));
  });

  it("makes an event readable by the time a listener sees it", async () => {
    const room = freshRoom("visible");
    const reads: Promise<RoomEvent[]>[] = [];
    const unsubscribe = ctx.log.subscribe((e) => {
      if (e.room === room) reads.push(ctx.log.read(room, e.seq - 1, 1));
    });
    await Promise.all([ctx.log.append(cmd(room, "v1")), ctx.log.append(cmd(room, "v2"))]);
    unsubscribe();
    assert.deepEqual((await Promise.all(reads)).map(seqs), [[1], [2]]);
  });

  it("serves several listeners and stops after unsubscribe", async () => {
    const room = freshRoom("unsub");
    const a = new Recorder();
    const b = new Recorder();
    const offA = ctx.log.subscribe(a.listener);
    const offB = ctx.log.subscribe(b.listener);
    await ctx.log.append(cmd(room, "u1"));
    offA();
    await ctx.log.append(cmd(room, "u2"));
    offB();
    await ctx.log.append(cmd(room, "u3"));
    assert.deepEqual(seqs(a.of(room)), [1]);
    assert.deepEqual(seqs(b.of(room)), [1, 2]);
  });
}

function describeIdempotence(ctx: Ctx): void {
  it("re-appending a cmid returns the original event and emits nothing", async () => {
    const room = freshRoom("dup");
    const rec = new Recorder();
    const off = ctx.log.subscribe(rec.listener);
    const first = await ctx.log.append(cmd(room, "same", { v: 1 }));
    const again = await ctx.log.append(cmd(room, "same", { v: 2 }));
    off();
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.event, first.event);
    assert.deepEqual(seqs(rec.of(room)), [1]);
    assert.equal((await ctx.log.head(room)).lastSeq, 1);
  });

  it("catches duplicates appended concurrently (same batch)", async () => {
    const room = freshRoom("dup-batch");
    const results = await Promise.all([1, 2, 3, 4, 5].map(() => ctx.log.append(cmd(room, "twin"))));
    const originals = results.filter((r) => !r.duplicate);
    assert.equal(originals.length, 1);
    for (const r of results) assert.deepEqual(r.event, originals[0]?.event);
    assert.deepEqual(seqs(await ctx.log.read(room, 0, 10)), [1]);
  });

  it("scopes cmids to their room", async () => {
    const [a, b] = [freshRoom("scope"), freshRoom("scope")];
    const [ra, rb] = await Promise.all([ctx.log.append(cmd(a, "x")), ctx.log.append(cmd(b, "x"))]);
    assert.equal(ra.duplicate || rb.duplicate, false);
  });
}

function describeCmidConflicts(ctx: Ctx): void {
  it("refuses another user's cmid with CMID_CONFLICT, storing and emitting nothing", async () => {
    const room = freshRoom("conflict");
    const rec = new Recorder();
    const off = ctx.log.subscribe(rec.listener);
    const first = await ctx.log.append(cmd(room, "shared", { v: "alice" }, "alice"));
    await assert.rejects(ctx.log.append(cmd(room, "shared", { v: "bob" }, "bob")), isConflict);
    const retry = await ctx.log.append(cmd(room, "shared", { v: "alice" }, "alice"));
    off();
    assert.deepEqual([retry.duplicate, retry.event], [true, first.event]);
    assert.deepEqual(seqs(rec.of(room)), [1]);
    assert.deepEqual(await ctx.log.read(room, 0, 10), [first.event]);
  });

  it("refuses the other user's twin appended concurrently (same batch)", async () => {
    const room = freshRoom("conflict-batch");
    const results = await Promise.allSettled(["alice", "bob"].map((u) => ctx.log.append(cmd(room, "twin", {}, u))));
    const won = results.filter((r) => r.status === "fulfilled");
    assert.equal(won.length, 1);
    assert.equal(won[0]!.value.duplicate, false);
    const lost = results.find((r) => r.status === "rejected");
    assert.ok(isConflict(lost?.reason), String(lost?.reason));
    assert.deepEqual(seqs(await ctx.log.read(room, 0, 10)), [1]);
  });
}

function describeReads(ctx: Ctx): void {
  it("read returns events after a seq, ascending, at most limit", async () => {
    const room = freshRoom("read");
    for (let i = 0; i < 25; i++) await ctx.log.append(cmd(room, `r${i}`));
    assert.deepEqual(seqs(await ctx.log.read(room, 0, 100)), range(1, 25));
    assert.deepEqual(seqs(await ctx.log.read(room, 10, 5)), range(11, 15));
    assert.deepEqual(seqs(await ctx.log.read(room, 25, 10)), []);
    assert.deepEqual(await ctx.log.read(freshRoom("never"), 0, 10), []);
  });

  it("readBefore pages backwards, each page ascending", async () => {
    const room = freshRoom("page");
    await Promise.all(range(1, 25).map((i) => ctx.log.append(cmd(room, `p${i}`))));
    const pages: number[][] = [];
    for (let before = 26; before > 1;) {
      const page = seqs(await ctx.log.readBefore(room, before, 10));
      pages.push(page);
      before = page[0] ?? 1;
    }
    assert.deepEqual(pages, [range(16, 25), range(6, 15), range(1, 5)]);
    assert.deepEqual(await ctx.log.readBefore(room, 1, 10), []);
    assert.deepEqual(seqs(await ctx.log.readBefore(room, Number.MAX_SAFE_INTEGER, 3)), [23, 24, 25]);
  });
}

/** Appends a message, its edit, a reply, a reaction, its delete and a late edit: seqs 1–6. */
async function appendDeletedThread(log: EventLog, room: string): Promise<void> {
  const append = (cmid: string, kind: string, body: PublishCommand["body"], from = "user-1") =>
    log.append({ room, cmid, from, kind, body });
  await append("m1", "message", { text: "secret" });
  await append("e1", "edit", { target: 1, text: "still secret" });
  await append("m3", "message", { text: "stays", replyTo: 1 });
  await append("r1", "reaction", { target: 1, emoji: "👍", op: "add" }, "user-2");
  await append("d1", "delete", { target: 1 });
  // Sequenced after the delete (a race the gateway's check lost): removed too.
  await append("e2", "edit", { target: 1, text: "late secret" });
}

/** What `appendDeletedThread` reads back as: the message and both edits tombstoned. */
function assertTombstoned(events: RoomEvent[]): void {
  assert.deepEqual(
    events.map((e) => [e.seq, e.kind, e.body]),
    [
      [1, "message", TOMBSTONE_BODY],
      [2, "edit", TOMBSTONE_BODY],
      [3, "message", { text: "stays", replyTo: 1 }],
      [4, "reaction", { target: 1, emoji: "👍", op: "add" }],
      [5, "delete", { target: 1 }],
      [6, "edit", TOMBSTONE_BODY],
    ],
  );
}

function describeTombstones(ctx: Ctx): void {
  it("a deleted message and its edits read back as the tombstone; listeners got the originals", async () => {
    const room = freshRoom("tomb");
    const rec = new Recorder();
    const off = ctx.log.subscribe(rec.listener);
    await appendDeletedThread(ctx.log, room);
    off();
    assertTombstoned(await ctx.log.read(room, 0, 10));
    assertTombstoned(await ctx.log.readBefore(room, 7, 10));
    assert.deepEqual(
      rec.of(room).map((e) => e.body),
      [
        { text: "secret" },
        { target: 1, text: "still secret" },
        { text: "stays", replyTo: 1 },
        { target: 1, emoji: "👍", op: "add" },
        { target: 1 },
        { target: 1, text: "late secret" },
      ],
    );
  });
}

function describeEpochs(ctx: Ctx, factory: EventLogFactory): void {
  it("head: creates an epoch for a new room and keeps it across appends", async () => {
    const empty = freshRoom("epoch");
    const busy = freshRoom("epoch");
    const h0 = await ctx.log.head(empty);
    assert.equal(h0.lastSeq, 0);
    assert.ok(typeof h0.epoch === "string" && h0.epoch.length > 0);
    assert.deepEqual(await ctx.log.head(empty), h0);
    const first = await ctx.log.head(busy);
    await ctx.log.append(cmd(busy, "e1"));
    assert.deepEqual(await ctx.log.head(busy), { epoch: first.epoch, lastSeq: 1 });
    assert.notEqual(first.epoch, h0.epoch);
  });

  it("head: a room on wiped storage gets a different epoch", async () => {
    const room = freshRoom("wiped");
    await ctx.log.append(cmd(room, "w1"));
    const before = await ctx.log.head(room);
    const other = await factory();
    try {
      const after = await other.log.head(room);
      assert.equal(after.lastSeq, 0);
      assert.notEqual(after.epoch, before.epoch);
    } finally {
      await other.dispose();
    }
  });
}

function describeClose(ctx: Ctx, restart: () => Promise<EventLog>): void {
  it("close settles every pending append; a closed log refuses appends with SHUTTING_DOWN", async () => {
    const room = freshRoom("close");
    const closing = ctx.log;
    const pending = range(1, 50).map((i) => closing.append(cmd(room, `z${i}`)));
    await restart();
    for (const s of await Promise.allSettled(pending)) {
      if (s.status === "rejected") assert.ok(s.reason instanceof ParleyError, String(s.reason));
    }
    await assert.rejects(closing.append(cmd(room, "late")), isShuttingDown);
  });
}

/** The clauses that read a log back after `restart`: only for durable logs. */
function describeRestart(ctx: Ctx, restart: () => Promise<EventLog>): void {
  it("still dedupes after a restart", async () => {
    const room = freshRoom("dup-restart");
    const first = await ctx.log.append(cmd(room, "keep"));
    await ctx.log.append(cmd(room, "other"));
    const log = await restart();
    const again = await log.append(cmd(room, "keep"));
    assert.equal(again.duplicate, true);
    assert.deepEqual(again.event, first.event);
    assert.equal((await log.append(cmd(room, "new"))).event.seq, 3);
  });

  it("still refuses the collision after a restart", async () => {
    const room = freshRoom("conflict-restart");
    const first = await ctx.log.append(cmd(room, "kept", {}, "alice"));
    const log = await restart();
    await assert.rejects(log.append(cmd(room, "kept", {}, "bob")), isConflict);
    assert.deepEqual((await log.append(cmd(room, "kept", {}, "alice"))).event, first.event);
    assert.equal((await log.head(room)).lastSeq, 1);
  });

  it("keeps every resolved append across close and reopen, and continues the sequence", async () => {
    const rooms = [freshRoom("durable"), freshRoom("durable")];
    const written = await Promise.all(range(1, 30).map((i) => ctx.log.append(cmd(rooms[i % 2] as string, `d${i}`))));
    const log = await restart();
    for (const room of rooms) {
      const expected = written.filter((r) => r.event.room === room).map((r) => r.event);
      assert.deepEqual(
        await log.read(room, 0, 100),
        [...expected].sort((a, b) => a.seq - b.seq),
      );
      assert.equal((await log.head(room)).lastSeq, 15);
      assert.equal((await log.append(cmd(room, "after"))).event.seq, 16);
    }
  });

  it("head: keeps every room's epoch across a restart", async () => {
    const empty = freshRoom("epoch-restart");
    const busy = freshRoom("epoch-restart");
    const h0 = await ctx.log.head(empty);
    await ctx.log.append(cmd(busy, "e1"));
    const h1 = await ctx.log.head(busy);
    const log = await restart();
    assert.deepEqual(await log.head(empty), h0);
    assert.deepEqual(await log.head(busy), h1);
  });

  it("an append resolved while close was pending survives the restart", async () => {
    const room = freshRoom("close-durable");
    const pending = range(1, 50).map((i) => ctx.log.append(cmd(room, `z${i}`)));
    const log = await restart();
    const settled = await Promise.allSettled(pending);
    const ok = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value.event.seq] : []));
    assert.deepEqual(
      seqs(await log.read(room, 0, 100)).slice(0, ok.length),
      [...ok].sort((a, b) => a - b),
    );
  });

  it("a deleted message and its edits still read back as the tombstone after a restart", async () => {
    const room = freshRoom("tomb-restart");
    await appendDeletedThread(ctx.log, room);
    const log = await restart();
    assertTombstoned(await log.read(room, 0, 10));
    assertTombstoned(await log.readBefore(room, 7, 10));
  });
}
