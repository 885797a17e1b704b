import assert from "node:assert/strict";
import { test } from "node:test";
import { runToy, type Summary } from "./toy-run.js";

test("resume: every client catches up", async () => {
  const summary = (await runToy("resume"))["summary"] as Summary;
  assert.equal(summary["parley"]!["caughtUp"], 1);
});
