import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import type { RoomEvent } from "@parley/protocol";
import type { PublishCommand } from "#server/log/event-log.js";
import { DedupeCache } from "#server/sequencer/dedupe-cache.js";
import { dedupeKey, sequence, SequencerBatch, type RoomState } from "#server/sequencer/sequencer.js";

const cmd = (room: string, cmid: string): PublishCommand => ({ room, cmid, from: "u", kind: "message", body: cmid });

interface Outcome {
  readonly seq: number;
  readonly id: string;
  readonly duplicate: boolean;
}

/**
 * A minimal committed world for the sequencer: room states and stored events,
 * fed through SequencerBatch with the given batch boundaries (as the embedded
 * log does), committing each batch before the next.
 */
function run(commands: readonly PublishCommand[], batchSizes: readonly number[] = [1]): Outcome[] {
  const states = new Map<string, RoomState>();
  const stored = new Map<string, RoomEvent>();
  let ids = 0;
  const out: Outcome[] = [];
  for (let i = 0, b = 0; i < commands.length; b++) {
    const size = Math.max(1, batchSizes[b % batchSizes.length] ?? 1);
    const batch = new SequencerBatch(
      (room) => states.get(room) ?? { epoch: "e", lastSeq: 0 },
      (room, cmid) => stored.get(dedupeKey(room, cmid)),
      () => `id${ids++}`,
    );
    for (const c of commands.slice(i, i + size)) {
      const d = batch.decide(c, 1000);
      out.push({ seq: d.event.seq, id: d.event.id, duplicate: d.type === "duplicate" });
    }
    for (const e of batch.appended) stored.set(dedupeKey(e.room, e.cmid), e);
    for (const [room, s] of batch.touched()) states.set(room, s);
    i += size;
  }
  return out;
}

const commandsArb = fc.array(
  fc.record({ room: fc.constantFrom("a", "b", "c", "d"), cmid: fc.constantFrom(...Array.from("0123456789")) }),
  { maxLength: 150 },
);
const batchesArb = fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 10 });
const toCommands = (raw: { room: string; cmid: string }[]) => raw.map((r) => cmd(r.room, r.cmid));

describe("sequencer properties", () => {
  it("seqs are contiguous from 1 per room, under any interleaving and batching", () => {
    fc.assert(
      fc.property(commandsArb, batchesArb, (raw, batches) => {
        const commands = toCommands(raw);
        const out = run(commands, batches);
        const next = new Map<string, number>();
        commands.forEach((c, i) => {
          if (out[i]?.duplicate) return;
          const expected = (next.get(c.room) ?? 0) + 1;
          assert.equal(out[i]?.seq, expected);
          next.set(c.room, expected);
        });
      }),
    );
  });

  it("a duplicate returns the original event and creates nothing", () => {
    fc.assert(
      fc.property(commandsArb, batchesArb, (raw, batches) => {
        const commands = toCommands(raw);
        const out = run(commands, batches);
        const firsts = new Map<string, Outcome>();
        commands.forEach((c, i) => {
          const key = dedupeKey(c.room, c.cmid);
          const o = out[i] as Outcome;
          const first = firsts.get(key);
          assert.equal(o.duplicate, first !== undefined);
          if (first) assert.deepEqual({ ...o, duplicate: false }, first);
          else firsts.set(key, o);
        });
        assert.equal(new Set(out.filter((o) => !o.duplicate).map((o) => o.id)).size, firsts.size);
      }),
    );
  });

  it("rooms are independent: a room's outcomes do not depend on other rooms' traffic", () => {
    fc.assert(
      fc.property(commandsArb, batchesArb, (raw, batches) => {
        const commands = toCommands(raw);
        const together = run(commands, batches);
        for (const room of ["a", "b", "c", "d"]) {
          const alone = run(commands.filter((c) => c.room === room)).map((o) => [o.seq, o.duplicate]);
          const inMix = together.filter((_, i) => commands[i]?.room === room).map((o) => [o.seq, o.duplicate]);
          assert.deepEqual(inMix, alone);
        }
      }),
    );
  });

  it("batch boundaries never change the outcome", () => {
    fc.assert(
      fc.property(commandsArb, batchesArb, (raw, batches) => {
        const commands = toCommands(raw);
        const strip = (os: Outcome[]) => os.map((o) => [o.seq, o.duplicate]);
        assert.deepEqual(strip(run(commands, batches)), strip(run(commands, [1])));
      }),
    );
  });
});

describe("sequence", () => {
  const state: RoomState = { epoch: "ep", lastSeq: 41 };

  it("appends with seq lastSeq+1, the given time and id, and the command's fields", () => {
    const d = sequence(state, cmd("r", "c1"), { lookup: () => undefined, now: 1234, newId: () => "the-id" });
    assert.equal(d.type, "append");
    assert.deepEqual(d.event, {
      room: "r",
      seq: 42,
      id: "the-id",
      from: "u",
      ts: 1234,
      kind: "message",
      body: "c1",
      cmid: "c1",
    });
    assert.deepEqual(d.type === "append" && d.state, { epoch: "ep", lastSeq: 42 });
  });

  it("returns the original on a known cmid without calling newId", () => {
    const original = sequence(state, cmd("r", "c1"), { lookup: () => undefined, now: 1, newId: () => "x" }).event;
    const d = sequence(state, cmd("r", "c1"), {
      lookup: () => original,
      now: 2,
      newId: () => assert.fail("no new id for a duplicate"),
    });
    assert.deepEqual(d, { type: "duplicate", event: original });
  });

  it("a batch catches a duplicate of its own earlier command before anything is committed", () => {
    const batch = new SequencerBatch(
      () => ({ epoch: "e", lastSeq: 0 }),
      () => undefined,
      () => "id",
    );
    const first = batch.decide(cmd("r", "x"), 1);
    const second = batch.decide(cmd("r", "x"), 1);
    assert.equal(second.type, "duplicate");
    assert.equal(second.event, first.event);
    assert.equal(batch.appended.length, 1);
  });
});

describe("DedupeCache", () => {
  it("remembers keys per (room, cmid)", () => {
    const cache = new DedupeCache({ windowMs: 1000, maxEntries: 10 });
    cache.add("r", "a", 0);
    assert.equal(cache.has("r", "a", 10), true);
    assert.equal(cache.has("s", "a", 10), false);
  });

  it("forgets entries older than the window", () => {
    const cache = new DedupeCache({ windowMs: 1000, maxEntries: 10 });
    cache.add("r", "old", 0);
    cache.add("r", "new", 900);
    assert.equal(cache.has("r", "old", 1001), false);
    assert.equal(cache.size, 1);
    assert.equal(cache.has("r", "new", 1001), true);
  });

  it("stays within maxEntries, dropping the oldest first", () => {
    const cache = new DedupeCache({ windowMs: 1e9, maxEntries: 3 });
    for (const c of ["a", "b", "c", "d", "e"]) cache.add("r", c, 0);
    assert.equal(cache.size, 3);
    assert.equal(cache.has("r", "b", 0), false);
    assert.equal(cache.has("r", "e", 0), true);
  });
});
