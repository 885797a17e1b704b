import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { openSqliteDb, type ModeChange } from "#server/sqlite/db.js";

const root = mkdtempSync(join(tmpdir(), "parley-sqlite-db-"));
after(() => rmSync(root, { recursive: true, force: true }));

const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Opens, writes one row (so the -wal and -shm files exist), and reports the modes it left. */
function openAndWrite(dataDir: string, changes: ModeChange[] = []): Record<string, number> {
  const db = openSqliteDb({ dataDir, durability: "normal", onTightened: (c) => changes.push(c) });
  try {
    db.prepare("INSERT OR REPLACE INTO notify_settings (name, value) VALUES ('probe', 'x')").run();
    const file = join(dataDir, "parley.db");
    return { dir: modeOf(dataDir), db: modeOf(file), wal: modeOf(`${file}-wal`), shm: modeOf(`${file}-shm`) };
  } finally {
    db.close();
  }
}

describe("data dir permissions", () => {
  it("creates the data dir 0700 and the database files 0600", () => {
    const dataDir = join(root, "fresh", "data");
    const changes: ModeChange[] = [];
    assert.deepEqual(openAndWrite(dataDir, changes), { dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });
    assert.deepEqual(changes, []);
  });

  it("tightens an existing 0755 dir and 0644 files on open, and reports each change", () => {
    const dataDir = join(root, "loose");
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, "parley.db");
    openAndWrite(dataDir);
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(path, "", { flag: "a" });
      chmodSync(path, 0o644);
    }
    chmodSync(dataDir, 0o755);
    const changes: ModeChange[] = [];
    assert.deepEqual(openAndWrite(dataDir, changes), { dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });
    assert.deepEqual(
      changes.map((c) => [c.path, c.from, c.to]),
      [
        [dataDir, 0o755, 0o700],
        [file, 0o644, 0o600],
        [`${file}-wal`, 0o644, 0o600],
        [`${file}-shm`, 0o644, 0o600],
      ],
    );
  });

  it("changes nothing on a data dir that is already owner-only", () => {
    const dataDir = join(root, "strict");
    openAndWrite(dataDir);
    const changes: ModeChange[] = [];
    assert.deepEqual(openAndWrite(dataDir, changes), { dir: 0o700, db: 0o600, wal: 0o600, shm: 0o600 });
    assert.deepEqual(changes, []);
  });
});
