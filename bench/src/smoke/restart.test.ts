import assert from "node:assert/strict";
import { test } from "node:test";
import type { RestartSample } from "../scenarios/restart.js";
import { runToy } from "./toy-run.js";

test("restart: after every kill -9 the server accepts, connects and subscribes again", async () => {
  const doc = await runToy("restart");
  const samples = (doc["rounds"] as Record<string, RestartSample[]>)["parley"]!;
  assert.equal(samples.length, 2);
  for (const s of samples) assert.ok(s.openMs <= s.connectedMs && s.connectedMs <= s.subscribedMs, JSON.stringify(s));
});
