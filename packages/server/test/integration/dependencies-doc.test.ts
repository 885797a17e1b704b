/**
 * docs/dependencies.md says why each runtime dependency is there, and each
 * workspace must declare what its shipped code imports: a package only the
 * root's devDependencies provide works in this checkout and breaks an install
 * of the published package (found: `pg` and `@platformatic/kafka`).
 */
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const WORKSPACES = ["packages/protocol", "packages/server", "packages/client", "packages/react", "apps/web"];

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as Manifest;
}

/** Non-test source files under `dir`, recursively (test-support is test code too). */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "test-support" ? [] : sources(path);
    return /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) ? [path] : [];
  });
}

/** The package names a file imports (static and dynamic), without node builtins and relative paths. */
function importedPackages(file: string): string[] {
  const text = readFileSync(file, "utf8");
  // `from`/`import` as a word of code, not inside a string: `requireId("user", x, "from")` names no package.
  const specs = [...text.matchAll(/(?:^|[\s};(])(?:from|import)\s*\(?\s*["']([^"'.][^"']*)["']/gm)].map((m) => m[1]!);
  return specs
    .filter((s) => !s.startsWith("node:") && !builtinModules.includes(s))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]!));
}

/** Imports that only dev tooling, benchmarks or the chaos run (the SDK publisher, Socket.IO) use, so they stay devDependencies. */
const DEV_ONLY = new Set([
  "prettier",
  "hdr-histogram-js",
  "socket.io",
  "socket.io-client",
  "fast-check",
  "@parley/client",
]);

describe("dependencies", () => {
  test("each workspace declares every package its shipped code imports", () => {
    for (const dir of WORKSPACES) {
      const m = manifest(dir);
      const declared = new Set([
        m.name,
        ...Object.keys(m.dependencies ?? {}),
        ...Object.keys(m.peerDependencies ?? {}),
      ]);
      for (const file of sources(join(ROOT, dir, "src"))) {
        for (const pkg of importedPackages(file)) {
          if (DEV_ONLY.has(pkg) || pkg.startsWith("@types/")) continue;
          assert.ok(declared.has(pkg), `${file.slice(ROOT.length)} imports ${pkg}, missing from ${dir}/package.json`);
        }
      }
    }
  });

  test("docs/dependencies.md lists every runtime dependency", () => {
    const doc = readFileSync(join(ROOT, "docs/dependencies.md"), "utf8");
    const listed = new Set([...doc.matchAll(/^\| `([^`]+)`/gm)].map((m) => m[1]!));
    for (const match of doc.matchAll(/^\| `[^`]+` [^|]*?, `([^`]+)`/gm)) listed.add(match[1]!);
    for (const dir of WORKSPACES) {
      const m = manifest(dir);
      for (const dep of [...Object.keys(m.dependencies ?? {}), ...Object.keys(m.peerDependencies ?? {})]) {
        if (dep.startsWith("@parley/")) continue;
        assert.ok(listed.has(dep), `${dep} (${dir}) is not in docs/dependencies.md`);
      }
    }
  });
});
