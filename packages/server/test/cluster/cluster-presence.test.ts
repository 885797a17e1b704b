import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { PresenceChange } from "#server/presence/presence.js";
import { ClusterPresence, type PresenceSnapshot } from "#server/cluster/cluster-presence.js";

/** Two nodes wired to each other directly, with a shared fake clock. */
function pair() {
  let clock = 1000;
  const changes = { a: [] as string[], b: [] as string[] };
  const nodes: Record<string, ClusterPresence> = {};
  const deliver = (from: string) => (s: PresenceSnapshot) => {
    for (const [id, node] of Object.entries(nodes)) if (id !== from) node.apply(s);
  };
  for (const id of ["a", "b"]) {
    nodes[id] = new ClusterPresence({ nodeId: id, publish: deliver(id), now: () => clock, nodeTimeoutMs: 5000 });
    nodes[id]!.onChange((c: PresenceChange) => changes[id as "a" | "b"].push(`${c.type} ${c.room} ${c.user}`));
  }
  return { a: nodes.a!, b: nodes.b!, changes, tick: (ms: number) => (clock += ms) };
}

describe("ClusterPresence", () => {
  it("a join on one node is seen on the other; members merge connection counts", () => {
    const { a, b, changes } = pair();
    a.join("r", "ann", "c1");
    b.join("r", "ann", "c2");
    b.join("r", "bob", "c3");
    assert.deepEqual(a.members("r"), [
      { user: "ann", connections: 2 },
      { user: "bob", connections: 1 },
    ]);
    assert.deepEqual(changes.a, ["join r ann", "join r bob"]);
    assert.deepEqual(changes.b, ["join r ann", "join r bob"]);
    b.leave("r", "ann", "c2");
    assert.deepEqual(changes.a, ["join r ann", "join r bob"], "ann still has a connection on a");
    a.leave("r", "ann", "c1");
    assert.deepEqual(changes.b.at(-1), "leave r ann");
  });

  it("occupancy counts every room's users and connections across nodes", () => {
    const { a, b } = pair();
    a.join("r", "ann", "c1");
    b.join("r", "ann", "c2");
    b.join("r", "bob", "c3");
    b.join("q", "cy", "c4");
    const byRoom = (list: ReturnType<ClusterPresence["occupancy"]>) =>
      [...list].sort((x, y) => (x.room < y.room ? -1 : 1));
    const expected = [
      { room: "q", users: 1, connections: 1 },
      { room: "r", users: 2, connections: 3 },
    ];
    assert.deepEqual(byRoom(a.occupancy()), expected);
    assert.deepEqual(byRoom(b.occupancy()), expected);
  });

  it("a node that stops heartbeating loses its users after the timeout", () => {
    const { a, b, changes, tick } = pair();
    b.join("room", "cat", "c1");
    tick(3000);
    a.expire();
    assert.equal(a.members("room").length, 1, "still within the timeout");
    tick(3000);
    a.expire();
    assert.deepEqual(a.members("room"), []);
    assert.equal(changes.a.at(-1), "leave room cat");
  });

  it("an empty snapshot (graceful stop) removes a node at once; own snapshots are ignored", () => {
    const { a, b } = pair();
    b.join("x", "dan", "c1");
    a.apply({ node: "b", entries: [] });
    assert.deepEqual(a.members("x"), []);
    a.apply({ node: "a", entries: [["x", "eve", 1]] });
    assert.deepEqual(a.members("x"), []);
    assert.deepEqual(b.snapshot(), { node: "b", entries: [["x", "dan", 1]] });
  });

  it("with publishDelayMs, a burst of local changes leaves as one snapshot of the end state", async () => {
    const sent: PresenceSnapshot[] = [];
    const node = new ClusterPresence({ nodeId: "n", publish: (s) => sent.push(s), publishDelayMs: 20 });
    for (let i = 0; i < 100; i++) node.join("storm", `u${i}`, `c${i}`);
    node.leave("storm", "u0", "c0");
    assert.equal(sent.length, 0, "nothing yet: the changes wait for the delay");
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]!.entries.length, 99);
    node.join("storm", "late", "c-late");
    node.publishSnapshot();
    await new Promise((r) => setTimeout(r, 40));
    assert.equal(sent.length, 2, "a heartbeat publish covers the pending change; no second send");
    node.stop();
  });
});
