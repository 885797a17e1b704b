/** NodeDirectory: only announced http(s) URLs, never this node, forgotten on goodbye or silence. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { NodeDirectory } from "#server/cluster/node-directory.js";
import { newSessionId, ownerUrl } from "#server/transport/sse-forward.js";
import type { IncomingMessage } from "node:http";

function directory(): { nodes: NodeDirectory; clock: { now: number } } {
  const clock = { now: 1_000 };
  return { nodes: new NodeDirectory({ nodeId: "self", nodeTimeoutMs: 8_000, now: () => clock.now }), clock };
}

const request = (headers: Record<string, string> = {}) => ({ headers }) as unknown as IncomingMessage;

test("a node's announced URL is known until it says goodbye or falls silent", () => {
  const { nodes, clock } = directory();
  assert.equal(nodes.heard("a", "http://10.0.0.1:8080"), true, "new");
  assert.equal(nodes.heard("a", "http://10.0.0.1:8080"), false, "known: a heartbeat");
  assert.equal(nodes.heard("a", "http://10.0.0.2:8080"), true, "moved");
  assert.equal(nodes.urlOf("a"), "http://10.0.0.2:8080");
  nodes.heard("b", "https://gw-b:8443");
  nodes.forget("b");
  assert.equal(nodes.urlOf("b"), undefined, "goodbye");
  clock.now += 8_001;
  nodes.expire();
  assert.equal(nodes.urlOf("a"), undefined, "silent past the timeout");
});

test("only http(s) URLs of other nodes are kept", () => {
  const { nodes } = directory();
  for (const url of ["file:///etc/passwd", "gopher://x", "not a url", ""]) assert.equal(nodes.heard("a", url), false);
  assert.equal(nodes.urlOf("a"), undefined);
  assert.equal(nodes.heard("self", "http://127.0.0.1:1"), false);
  assert.equal(nodes.urlOf("self"), undefined, "never forwards to itself");
});

test("a session id names its node; the owner's URL comes from the directory only, and one hop only", () => {
  const { nodes } = directory();
  nodes.heard("a", "http://10.0.0.1:8080");
  const own = newSessionId(nodes);
  assert.match(own, /^self\.[0-9a-f-]{36}$/);
  assert.match(newSessionId(undefined), /^[0-9a-f-]{36}$/, "embedded mode: a plain UUID, as before");
  assert.equal(ownerUrl(nodes, own, request()), undefined, "this node's own");
  assert.equal(ownerUrl(nodes, "a.some-uuid", request()), "http://10.0.0.1:8080");
  assert.equal(ownerUrl(nodes, "a.some-uuid", request({ "x-parley-forwarded": "1" })), undefined, "already forwarded");
  assert.equal(ownerUrl(nodes, "unknown.some-uuid", request()), undefined);
  assert.equal(ownerUrl(nodes, "no-dot-uuid", request()), undefined);
  assert.equal(ownerUrl(undefined, "a.some-uuid", request()), undefined, "embedded mode never forwards");
});

test("list: every known node with its roles (a gateway's by default), by id", () => {
  const { nodes } = directory();
  nodes.heard("b", "http://10.0.0.2:8080", ["gateway", "sequencer", "sink"]);
  nodes.heard("a", "http://10.0.0.1:8080");
  assert.deepEqual(nodes.list(), [
    { id: "a", url: "http://10.0.0.1:8080", roles: ["gateway"] },
    { id: "b", url: "http://10.0.0.2:8080", roles: ["gateway", "sequencer", "sink"] },
  ]);
});
