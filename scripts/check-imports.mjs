// The protocol package and the client core must run in browsers: no `node:` imports
// outside the explicit Node entry points and tests.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const roots = ["packages/protocol/src", "packages/client/src"];
const allowed = (f) => f.endsWith(".test.ts") || f.endsWith("/node.ts") || f.includes("/test-support/");
const bad = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (
      path.endsWith(".ts") &&
      !allowed(path) &&
      /from\s+["']node:|import\(["']node:/.test(readFileSync(path, "utf8"))
    )
      bad.push(path);
  }
}
roots.forEach(walk);
if (bad.length) {
  console.error("browser-safe code imports node: modules:\n  " + bad.join("\n  "));
  process.exit(1);
}
