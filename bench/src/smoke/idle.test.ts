import assert from "node:assert/strict";
import { test } from "node:test";
import { runToy, type Summary } from "./toy-run.js";

test("idle: measures memory per connection", async () => {
  const summary = (await runToy("idle"))["summary"] as Record<string, Summary>;
  assert.ok(Number.isFinite(summary["parley"]!["20"]!["rssKiBPerConn"]));
});
