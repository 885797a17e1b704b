import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { describe, it } from "node:test";
import { ParleyError } from "@parley/protocol";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openEmbedded, type EmbeddedConfig, type EmbeddedStorage } from "#server/sqlite/open-embedded.js";
import { describeEventLogContract } from "../log/event-log-contract.js";
import { EmbeddedLog } from "#server/sqlite/embedded-log.js";
import { testEmbeddedConfig } from "../support/embedded-config.js";

/** A throwaway data dir and the embedded storage on it. */
async function openTempEmbedded(
  overrides: Partial<EmbeddedConfig> = {},
  flush: "spaced" | "tick" | "interval" = "spaced",
) {
  const dir = mkdtempSync(join(tmpdir(), "parley-log-"));
  const config = testEmbeddedConfig(dir, overrides);
  let storage: EmbeddedStorage = openEmbedded(config, { flush });
  await storage.log.start();
  return {
    get storage() {
      return storage;
    },
    async restart() {
      await storage.close();
      storage = openEmbedded(config, { flush });
      await storage.log.start();
      return storage;
    },
    async dispose() {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

for (const flush of ["spaced", "tick", "interval"] as const) {
  describeEventLogContract(`EmbeddedLog (flush=${flush})`, async () => {
    const tmp = await openTempEmbedded({}, flush);
    return {
      get log() {
        return tmp.storage.log;
      },
      restart: async () => (await tmp.restart()).log,
      dispose: () => tmp.dispose(),
    };
  });
}

/** Embedded storage on a throwaway dir whose log is not started yet. */
async function withUnstartedStorage(fn: (storage: EmbeddedStorage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "parley-log-"));
  const config = { dataDir: dir, durability: "normal", commitIntervalMs: 0, commitMaxBatch: 10, dedupeWindowHours: 1 };
  const storage = openEmbedded(config);
  try {
    await fn(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const msg = (room: string, cmid: string, body: unknown = {}) =>
  ({ room, cmid, from: "u", kind: "message", body }) as Parameters<EmbeddedStorage["log"]["append"]>[0];
const isCode = (code: string) => (err: unknown) => err instanceof ParleyError && err.code === code;

describe("EmbeddedLog specifics", () => {
  it("a failing commit rejects the whole batch with UNAVAILABLE and advances nothing", async () => {
    const tmp = await openTempEmbedded();
    try {
      const { log, db } = tmp.storage;
      await log.append(msg("r", "ok-1"));
      // Not TEMP: commits run on the writer thread's own connection, which must see the trigger.
      const failing = "CREATE TRIGGER boom BEFORE INSERT ON events WHEN NEW.cmid = 'bad'";
      db.exec(`${failing} BEGIN SELECT RAISE(ABORT, 'injected'); END`);
      const batch = ["a", "bad", "c"].map((c) => log.append(msg(c === "c" ? "other" : "r", c)));
      for (const p of batch) await assert.rejects(p, isCode("UNAVAILABLE"));
      assert.equal((await log.head("r")).lastSeq, 1);
      db.exec("DROP TRIGGER boom");
      const retried = await log.append(msg("r", "a"));
      assert.deepEqual([retried.event.seq, retried.duplicate], [2, false]);
      assert.equal((await log.append(msg("other", "c"))).event.seq, 1);
      assert.deepEqual(
        (await log.read("r", 0, 10)).map((e) => e.cmid),
        ["ok-1", "a"],
      );
    } finally {
      await tmp.dispose();
    }
  });

  it("head() of a new room answers the head before appends made after the call", async () => {
    const tmp = await openTempEmbedded();
    try {
      const { log } = tmp.storage;
      const head = log.head("fresh");
      const [a, b] = await Promise.all([log.append(msg("fresh", "1")), log.append(msg("fresh", "2"))]);
      const h = await head;
      assert.equal(h.lastSeq, 0);
      assert.deepEqual([a.event.seq, b.event.seq], [1, 2]);
      assert.deepEqual(await log.head("fresh"), { epoch: h.epoch, lastSeq: 2 });
      const reopened = await tmp.restart();
      assert.equal((await reopened.log.head("fresh")).epoch, h.epoch);
    } finally {
      await tmp.dispose();
    }
  });

  it("splits a burst larger than commitMaxBatch into several transactions", async () => {
    const tmp = await openTempEmbedded({ commitMaxBatch: 7, commitIntervalMs: 50 }, "interval");
    try {
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => tmp.storage.log.append(msg("b", `${i}`))),
      );
      assert.deepEqual(
        results.map((r) => r.event.seq),
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
    } finally {
      await tmp.dispose();
    }
  });

  it("a throwing listener neither breaks the append nor starves other listeners", async () => {
    const tmp = await openTempEmbedded();
    try {
      const seen: number[] = [];
      const errors: unknown[] = [];
      tmp.storage.log.subscribe(() => {
        throw new Error("listener bug");
      });
      tmp.storage.log.subscribe((e) => seen.push(e.seq));
      const console_error = console.error;
      console.error = (...args: unknown[]) => errors.push(args);
      try {
        await tmp.storage.log.append(msg("t", "1"));
      } finally {
        console.error = console_error;
      }
      assert.deepEqual(seen, [1]);
      assert.equal(errors.length, 1);
    } finally {
      await tmp.dispose();
    }
  });

  it("rejects appends before start (UNAVAILABLE) and after close (SHUTTING_DOWN)", async () => {
    await withUnstartedStorage(async (storage) => {
      await assert.rejects(storage.log.append(msg("x", "1")), isCode("UNAVAILABLE"));
      await storage.log.start();
      await storage.log.close();
      await assert.rejects(storage.log.append(msg("x", "2")), isCode("SHUTTING_DOWN"));
    });
  });

  it("takes appends and serves reads while its writer thread starts; they commit once it is ready", async () => {
    await withUnstartedStorage(async (storage) => {
      const started = storage.log.start();
      const acked = storage.log.append(msg("early", "1"));
      assert.deepEqual(await storage.log.read("early", 0, 10), []);
      await started;
      assert.equal((await acked).event.seq, 1);
    });
  });

  it("start reads no event and no head: rooms are loaded on first use, by key", async () => {
    const tmp = await openTempEmbedded();
    try {
      for (let i = 0; i < 20; i++) await tmp.storage.log.append(msg(`room-${i % 4}`, `${i}`));
      const storage = await tmp.restart();
      const Statement = Object.getPrototypeOf(storage.db.prepare("SELECT 1")) as Record<string, unknown>;
      const sources: string[] = [];
      const restore = ["get", "all", "iterate", "run"].map((name) => {
        const original = Statement[name] as (this: { source: string }, ...args: unknown[]) => unknown;
        Statement[name] = function (this: { source: string }, ...args: unknown[]) {
          sources.push(this.source);
          return original.apply(this, args);
        };
        return () => (Statement[name] = original);
      });
      try {
        const log = new EmbeddedLog(storage.db, { commitIntervalMs: 0, commitMaxBatch: 10, dedupeWindowHours: 1 });
        await log.start();
        const touches = (sql: string) => /\b(events|room_heads)\b/.test(sql);
        assert.deepEqual(sources.filter(touches), [], "start read no events and no heads");
        assert.equal((await log.head("room-1")).lastSeq, 5);
        const reads = sources.filter(touches);
        assert.ok(reads.length > 0);
        for (const sql of reads) assert.match(sql, /WHERE room = \?/, `${sql} is not a keyed read`);
        await log.close();
      } finally {
        for (const undo of restore) undo();
      }
    } finally {
      await tmp.dispose();
    }
  });

  it("finds duplicates in the database once the dedupe cache has forgotten them", async () => {
    const tmp = await openTempEmbedded();
    try {
      const { log } = tmp.storage;
      const first = await log.append(msg("d", "old"));
      for (let i = 0; i < 5; i++) await log.append(msg("d", `n${i}`));
      // A 1-entry cache: "old" was evicted long ago, so only the events table can recognise it.
      const small = new EmbeddedLog(tmp.storage.db, {
        commitIntervalMs: 0,
        commitMaxBatch: 10,
        dedupeWindowHours: 1,
        dedupeMaxEntries: 1,
      });
      await small.start();
      const again = await small.append(msg("d", "old"));
      assert.deepEqual([again.duplicate, again.event], [true, first.event]);
      await small.close();
    } finally {
      await tmp.dispose();
    }
  });
});
