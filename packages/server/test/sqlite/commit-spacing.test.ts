/**
 * The embedded log's commit spacing (`flush: "spaced"`, embedded-log.ts): an idle log commits at once, a busy
 * one starts a commit at most once per commitIntervalMs unless the batch is full, and close commits what
 * waits. The interval here is a minute, longer than each test may take: a test that waited for it fails by
 * its timeout, so nothing below depends on how fast the machine is.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { setImmediate as nextTurn } from "node:timers/promises";
import type { PublishCommand } from "#server/log/event-log.js";
import { openEmbedded, type EmbeddedStorage } from "#server/sqlite/open-embedded.js";
import { testEmbeddedConfig } from "../support/embedded-config.js";

const MINUTE = 60_000;
const TEST = { timeout: 30_000 };
const cmd = (cmid: string): PublishCommand => ({ room: "r", cmid, from: "u", kind: "message", body: { text: cmid } });

async function withLog(commitMaxBatch: number, fn: (storage: EmbeddedStorage) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "parley-spacing-"));
  const storage = openEmbedded(testEmbeddedConfig(dir, { commitIntervalMs: MINUTE, commitMaxBatch }));
  await storage.log.start();
  try {
    await fn(storage);
  } finally {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("Embedded commit spacing", () => {
  it("commits an idle log's first append without waiting for the interval", TEST, () =>
    withLog(64, async (s) => {
      const { event } = await s.log.append(cmd("a"));
      assert.equal(event.seq, 1);
    }),
  );

  it("holds a busy log's next commit for the interval, and commits a full batch at once", TEST, () =>
    withLog(3, async (s) => {
      await s.log.append(cmd("a"));
      let settled = 0;
      const waiting = [s.log.append(cmd("b")), s.log.append(cmd("c"))].map((p) => p.then(() => settled++));
      // A tick-mode log sends b and c to the writer thread on the next turn. A request posted to the thread
      // after that is answered after their commit; spaced, they are still waiting when it is answered.
      await nextTurn();
      await nextTurn();
      await s.log.catchUpSearch();
      assert.equal(settled, 0, "not committed within the interval");
      const full = s.log.append(cmd("d")); // the third queued: a full batch goes now
      const results = await Promise.all([...waiting, full]);
      assert.equal(results.length, 3);
      assert.deepEqual(
        (await s.log.read("r", 0, 10)).map((e) => e.cmid),
        ["a", "b", "c", "d"],
      );
    }),
  );

  it("commits what waits for the interval when the log closes", TEST, async () => {
    const dir = mkdtempSync(join(tmpdir(), "parley-spacing-"));
    const config = testEmbeddedConfig(dir, { commitIntervalMs: MINUTE });
    try {
      const storage = openEmbedded(config);
      await storage.log.start();
      await storage.log.append(cmd("a"));
      const held = storage.log.append(cmd("b"));
      await storage.close();
      assert.equal((await held).event.seq, 2);
      const again = openEmbedded(config);
      await again.log.start();
      assert.equal((await again.log.head("r")).lastSeq, 2, "b is durable");
      await again.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
