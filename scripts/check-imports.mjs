// Import rules that the compiler cannot see; `npm test` runs this before the tests.
// 1. The protocol package and the client core run in browsers: no `node:` imports outside
//    the explicit Node entry points and tests.
// 2. The server's folders import one way: a folder may import only folders on lower floors
//    (FLOORS below; folders on one floor do not import each other). The list is the design.
// 3. No import cycle between files anywhere in the product code.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";

/** Server folders (and top-level files) from the ground up. */
const FLOORS = [
  ["logger.ts", "metrics", "limits", "config"],
  ["log", "chat", "presence"],
  ["store", "sequencer", "auth"],
  ["policy"],
  ["notify", "transport", "kafka"],
  ["sqlite", "postgres"],
  ["gateway", "sink", "bridge"],
  ["http"],
  ["server.ts"],
  ["index.ts"],
  ["cluster"],
  ["cli"],
];
const SERVER = "packages/server/src";
const PRODUCT_ROOTS = ["packages/protocol/src", "packages/client/src", "packages/react/src", SERVER];
const BROWSER_ROOTS = ["packages/protocol/src", "packages/client/src"];

const isTest = (f) => f.endsWith(".test.ts") || f.includes("/test-support/");
const browserAllowed = (f) => isTest(f) || f.endsWith("/node.ts");

function tsFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return tsFiles(path);
    return path.endsWith(".ts") || path.endsWith(".tsx") ? [path] : [];
  });
}

/** Relative imports of a file, resolved to source paths (type-only imports count: they tie the design too). */
function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const specs = [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)["'](\.[^"']+)["']/g)].map((m) => m[1]);
  return specs.map((s) => normalize(join(dirname(file), s)).replace(/\.js$/, ".ts"));
}

const bad = [];

for (const root of BROWSER_ROOTS)
  for (const f of tsFiles(root))
    if (!browserAllowed(f) && /from\s+["']node:|import\(["']node:/.test(readFileSync(f, "utf8")))
      bad.push(`browser-safe code imports a node: module: ${f}`);

const floorOf = new Map(FLOORS.flatMap((names, i) => names.map((n) => [n, i])));
const folderOf = (f) => relative(SERVER, f).split("/")[0];
for (const f of tsFiles(SERVER)) {
  const from = folderOf(f);
  if (!floorOf.has(from)) {
    bad.push(`${f}: the folder ${from} is on no floor of scripts/check-imports.mjs`);
    continue;
  }
  for (const target of importsOf(f)) {
    const to = folderOf(target);
    if (to === from) continue;
    if (!((floorOf.get(to) ?? Infinity) < floorOf.get(from)))
      bad.push(`${relative(SERVER, f)} imports ${relative(SERVER, target)}: ${from} may not import ${to}`);
  }
}

// Tarjan's strongly connected components over the product import graph.
const graph = new Map();
for (const root of PRODUCT_ROOTS)
  for (const f of tsFiles(root))
    if (!isTest(f))
      graph.set(
        f,
        importsOf(f).filter((t) => !isTest(t)),
      );
let next = 0;
const index = new Map(),
  low = new Map(),
  stack = [],
  onStack = new Set();
function connect(v) {
  index.set(v, next);
  low.set(v, next++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!graph.has(w)) continue;
    if (!index.has(w)) {
      connect(w);
      low.set(v, Math.min(low.get(v), low.get(w)));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
  }
  if (low.get(v) !== index.get(v)) return;
  const component = [];
  for (let w; w !== v;) {
    w = stack.pop();
    onStack.delete(w);
    component.push(w);
  }
  if (component.length > 1) cycles.push(component.sort().join(" <-> "));
}
const cycles = [];
for (const v of graph.keys()) if (!index.has(v)) connect(v);
for (const c of cycles) bad.push(`import cycle: ${c}`);

if (bad.length) {
  console.error("import rules broken:\n  " + bad.join("\n  "));
  process.exit(1);
}
