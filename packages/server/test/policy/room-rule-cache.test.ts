import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { batchOfEvents, sqliteCommitter } from "#server/sqlite/commit.js";
import { openSqliteDb, type SqliteDb } from "#server/sqlite/db.js";
import { SqliteStore } from "#server/sqlite/store.js";
import { describeStoreContract } from "../store/store-contract.js";
import type { Store } from "#server/store/store.js";
import { RoomRuleCache, withRoomRuleCache } from "#server/policy/room-rule-cache.js";
import type { Room } from "#server/store/store.js";
import { RoomAccess } from "#server/policy/access.js";

/** A real SQLite store, wrapped, with a counter of the reads that reached it and a clock the test moves. */
async function openCached(ttlMs = 60_000, maxEntries = 1_000) {
  const clock = { ms: 0 };
  const dir = mkdtempSync(join(tmpdir(), "parley-rule-cache-"));
  const db: SqliteDb = openSqliteDb({ dataDir: dir, durability: "normal" });
  const inner = new SqliteStore(db);
  await inner.start();
  const reads = { n: 0 };
  const counted = new Proxy(inner, {
    get(target, prop) {
      const v = Reflect.get(target, prop, target) as unknown;
      if (prop === "getRoom" || prop === "isMember") reads.n++;
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  const store = withRoomRuleCache(counted, { ttlMs, maxEntries, now: () => clock.ms });
  const dispose = async () => {
    await inner.close();
    db.close();
    rmSync(dir, { recursive: true, force: true });
  };
  return { dir, inner, store, db, reads, clock, dispose };
}

describeStoreContract("SqliteStore behind the room rule cache", async () => {
  let fx = await openCached();
  return {
    store: fx.store,
    async reopen(): Promise<Store> {
      const old = fx;
      await old.inner.close();
      old.db.close();
      const db = openSqliteDb({ dataDir: old.dir, durability: "normal" });
      const inner = new SqliteStore(db);
      await inner.start();
      const store = withRoomRuleCache(inner, { ttlMs: 60_000, maxEntries: 1_000 });
      fx = {
        ...old,
        inner,
        db,
        store,
        dispose: () => inner.close().then(() => (db.close(), rmSync(old.dir, { recursive: true, force: true }))),
      };
      return fx.store;
    },
    dispose: () => fx.dispose(),
    async writeEvents(events) {
      sqliteCommitter(fx.db)(batchOfEvents(events, "contract-epoch"));
    },
  };
});

const principal = (user: string) => ({ user, caps: { "*": ["*" as const] }, expiresAt: undefined, dev: true });
const alice = principal("alice");

describe("withRoomRuleCache", () => {
  it("answers repeated publish checks from memory", async () => {
    const { store, inner, reads, dispose } = await openCached();
    try {
      await inner.createRoom({ id: "team", type: "private", name: "Team", createdBy: "alice" });
      for (let i = 0; i < 50; i++)
        assert.equal(await new RoomAccess(store).refusal(alice, "team", "publish"), undefined);
      assert.equal(reads.n, 2, "one getRoom and one isMember for 50 checks");
    } finally {
      await dispose();
    }
  });

  it("sees changes made through it at once: create, rename, add and remove a member", async () => {
    const { store, dispose } = await openCached();
    const bob = principal("bob");
    try {
      assert.equal(await new RoomAccess(store).refusal(bob, "vault", "subscribe"), undefined, "no room yet: public");
      await store.createRoom({ id: "vault", type: "private", name: "Vault", createdBy: "alice" });
      assert.equal(await new RoomAccess(store).refusal(bob, "vault", "subscribe"), "FORBIDDEN");
      await store.addMember("vault", "bob");
      assert.equal(await new RoomAccess(store).refusal(bob, "vault", "subscribe"), undefined);
      await store.removeMember("vault", "bob");
      assert.equal(await new RoomAccess(store).refusal(bob, "vault", "subscribe"), "FORBIDDEN");
      await store.renameRoom("vault", "Vault 2");
      assert.equal((await store.getRoom("vault"))?.name, "Vault 2");
    } finally {
      await dispose();
    }
  });

  it("does not keep an answer read while the room changed", async () => {
    const { store, dispose } = await openCached();
    try {
      const before = store.getRoom("race");
      const created = store.createRoom({ id: "race", type: "private", name: "Race", createdBy: "alice" });
      await Promise.all([before, created]);
      assert.equal((await store.getRoom("race"))?.type, "private");
    } finally {
      await dispose();
    }
  });

  it("shows changes made past it (another gateway) after the TTL, and stays within maxEntries", async () => {
    const { store, inner, reads, clock, dispose } = await openCached(30, 10);
    try {
      await inner.createRoom({ id: "elsewhere", type: "private", name: "E", createdBy: "alice" });
      assert.equal(await store.isMember("elsewhere", "carol"), false);
      await inner.addMember("elsewhere", "carol");
      assert.equal(await store.isMember("elsewhere", "carol"), false, "cached within the TTL");
      clock.ms += 40;
      assert.equal(await store.isMember("elsewhere", "carol"), true);
      for (let i = 0; i < 30; i++) await store.getRoom(`many-${i}`);
      const n = reads.n;
      await store.getRoom("many-29");
      assert.equal(reads.n, n, "the newest answer is still cached");
      await store.getRoom("many-0");
      assert.equal(reads.n, n + 1, "the oldest was dropped to stay within 10 answers");
    } finally {
      await dispose();
    }
  });

  describe("reads in flight", () => {
    /** A cache over a loader the test releases by hand, counting the reads that reached it. */
    function gated(ttlMs: number) {
      const clock = { ms: 0 };
      const cache = new RoomRuleCache({ ttlMs, maxEntries: 100, now: () => clock.ms });
      const reads: { answer: (room: Room | undefined) => void }[] = [];
      const load = () => new Promise<Room | undefined>((answer) => reads.push({ answer }));
      return { cache, clock, reads, load };
    }
    const team: Room = { id: "team", type: "private", name: "Team", createdBy: "alice", createdAt: 0 };

    it("are shared by callers that arrive while they run, even when slower than the TTL", async () => {
      const { cache, clock, reads, load } = gated(1_000);
      const first = cache.room("team", load);
      clock.ms += 900;
      const waiting = Array.from({ length: 20 }, () => cache.room("team", load));
      assert.equal(reads.length, 1, "20 callers, one read");
      clock.ms += 2_000; // the read takes longer than the TTL
      reads[0]?.answer(team);
      assert.deepEqual(await Promise.all([first, ...waiting]), Array(21).fill(team));
      assert.equal(reads.length, 1);
    });

    it("are not shared past the TTL from when they began", async () => {
      const { cache, clock, reads, load } = gated(1_000);
      void cache.room("team", load);
      clock.ms += 1_000;
      void cache.room("team", load);
      assert.equal(reads.length, 2, "an answer read 1 s ago is too old for a caller now");
    });

    it("refresh a busy answer in the background, so no caller waits for the store while it is used", async () => {
      const { cache, clock, reads, load } = gated(1_000);
      const first = cache.room("team", load);
      reads[0]?.answer(team);
      await first;
      clock.ms += 400;
      assert.deepEqual(await cache.room("team", load), team);
      assert.equal(reads.length, 1, "first half of the TTL: from the cache alone");
      clock.ms += 200;
      assert.deepEqual(await cache.room("team", load), team, "second half: answered from the cache at once");
      assert.deepEqual(await cache.room("team", load), team);
      assert.equal(reads.length, 2, "and one read started behind it");
      reads[1]?.answer({ ...team, name: "Renamed" });
      clock.ms += 700; // past the first answer's TTL, within the refreshed one's
      assert.equal((await cache.room("team", load))?.name, "Renamed");
      assert.equal(reads.length, 2);
    });

    it("are not shared with callers that come after the room changed", async () => {
      const { cache, reads, load } = gated(60_000);
      const before = cache.room("team", load);
      cache.invalidate("team");
      const after = cache.room("team", load);
      assert.equal(reads.length, 2);
      reads[0]?.answer(undefined);
      reads[1]?.answer(team);
      assert.equal(await before, undefined);
      assert.deepEqual(await after, team);
      assert.deepEqual(await cache.room("team", load), team, "the answer read after the change is the cached one");
      assert.equal(reads.length, 2);
    });
  });
});
