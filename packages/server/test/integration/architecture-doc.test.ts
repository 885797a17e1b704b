/**
 * docs/architecture.md's "Where things live" table is how a newcomer finds
 * code: every path it names must exist, and every source folder must be named.
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const DOC = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");
const TABLE = DOC.slice(DOC.indexOf("## Where things live"), DOC.indexOf("## Decisions"));
const SOURCE_ROOTS = [
  "packages/protocol/src",
  "packages/server/src",
  "packages/client/src",
  "packages/react/src",
  "apps/web/src",
];

/** Paths in backticks that start at the repository root (`packages/…`, `apps/…`, `bench/…`, `scripts/…`, `docs/…`). */
function rootedPaths(): string[] {
  return [...TABLE.matchAll(/`((?:packages|apps|bench|scripts|docs)\/[^`*]*)`/g)].map((m) => m[1]!);
}

describe("docs/architecture.md, Where things live", () => {
  test("every path it names exists", () => {
    const paths = rootedPaths();
    assert.ok(paths.length > 20, "the table was found");
    for (const path of paths) assert.ok(existsSync(join(ROOT, path)), `${path} does not exist`);
  });

  test("every source folder has a row", () => {
    for (const root of SOURCE_ROOTS) {
      for (const name of readdirSync(join(ROOT, root))) {
        if (!statSync(join(ROOT, root, name)).isDirectory()) continue;
        assert.ok(TABLE.includes(`${root}/${name}`), `${root}/${name}/ is not in the table`);
      }
    }
  });
});
